using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Serves the process's System.Diagnostics.Metrics instruments in Prometheus text format. No Prometheus
/// exporter package restores here, so this listens to the chosen meters and aggregates in memory: counters
/// and up-down counters as sums, histograms as count/sum and fixed buckets, observable gauges read at scrape.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly HashSet<string> _meters;

    public PrometheusExporter(IEnumerable<string> meterNames)
    {
        _meters = [.. meterNames];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Contains(instrument.Meter.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The current values in Prometheus text exposition format 0.0.4.</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var name = MetricName(group.Key);
            var isHistogram = group.Key is Histogram<double> or Histogram<long> or Histogram<int>;
            text.Append("# HELP ").Append(name).Append(' ').Append(group.Key.Description ?? group.Key.Name).Append('\n');
            text.Append("# TYPE ").Append(name).Append(isHistogram ? " histogram\n" : IsGauge(group.Key) ? " gauge\n" : " counter\n");
            foreach (var (key, series) in group) series.Write(text, name, key.Labels, isHistogram);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd((instrument, labels), static _ => new Series());
        series.Add(value, replace: instrument.IsObservable && IsGauge(instrument));
    }

    private static bool IsGauge(Instrument instrument) =>
        instrument.GetType().Name.StartsWith("ObservableGauge", StringComparison.Ordinal)
        || instrument.GetType().Name.StartsWith("Gauge", StringComparison.Ordinal)
        || instrument.GetType().Name.Contains("UpDown", StringComparison.Ordinal);

    private static string MetricName(Instrument instrument)
    {
        var name = new string([.. instrument.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return instrument.Unit is { Length: > 0 } unit && !name.EndsWith(unit, StringComparison.Ordinal)
            ? $"{name}_{new string([.. unit.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')])}"
            : name;
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var parts = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            parts.Add($"{tag.Key.Replace('.', '_').Replace('-', '_')}=\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    /// <summary>One label set of one instrument.</summary>
    private sealed class Series
    {
        private readonly long[] _bucketCounts = new long[Buckets.Length];
        private double _sum;
        private long _count;

        public void Add(double value, bool replace)
        {
            lock (this)
            {
                _sum = replace ? value : _sum + value;
                _count++;
                for (var i = 0; i < Buckets.Length; i++)
                {
                    if (value <= Buckets[i]) _bucketCounts[i]++;
                }
            }
        }

        public void Write(StringBuilder text, string name, string labels, bool histogram)
        {
            lock (this)
            {
                if (!histogram)
                {
                    text.Append(name).Append(Braces(labels)).Append(' ').Append(_sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    return;
                }

                var prefix = labels.Length == 0 ? "" : labels + ",";
                for (var i = 0; i < Buckets.Length; i++)
                {
                    text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Buckets[i].ToString(CultureInfo.InvariantCulture))
                        .Append("\"} ").Append(_bucketCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(_sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }
}
