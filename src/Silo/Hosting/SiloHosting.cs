using System.Net;
using System.Net.Sockets;
using FleaMarket.Grains;
using FleaMarket.Persistence;
using FleaMarket.Persistence.Schema;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using StackExchange.Redis;

namespace FleaMarket.Silo.Hosting;

/// <summary>The silo: Orleans configured from the "Engines", "Silo", "Cluster", "Sqlite", "PostgreSql", "Redis" sections.</summary>
public static class SiloHosting
{
    /// <summary>
    /// Runs an Orleans silo in this host with the flea market's grains, the configured membership and storage,
    /// the strongly consistent grain directory and the dashboard. Bad settings stop the process at start naming them.
    /// </summary>
    public static WebApplicationBuilder AddFleaMarketSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var engines = configuration.GetSection(EngineOptions.SectionName).Get<EngineOptions>() ?? new EngineOptions();
        engines.Validate();
        var silo = configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        silo.Validate();

        builder.Services.AddFleaMarketGrains();
        // Orleans' placement runs through a Polly pipeline that logs every call at Information. Unless
        // configuration says otherwise ("Logging:LogLevel:Polly"), keep its warnings only.
        builder.Services.Configure<LoggerFilterOptions>(o =>
        {
            if (!o.Rules.Any(r => r.CategoryName == "Polly")) o.Rules.Add(new LoggerFilterRule(null, "Polly", LogLevel.Warning, null));
        });
        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = configuration["Cluster:ClusterId"] ?? "fleamarket";
                o.ServiceId = ServiceId(configuration);
            });
            if (silo.SiloName is { Length: > 0 } name) orleans.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = name);
            var siloEndpoint = ConfigureEndpoints(orleans, silo, engines.IsLocal);
            ConfigureMembership(orleans, engines, configuration, siloEndpoint);
            ConfigureStorage(orleans, engines, configuration);
            ConfigureRuntime(orleans);

            // One activation per grain while silos join, stop or die; the journal's compare-and-swap append stays
            // the last guard against a second writer.
#pragma warning disable ORLEANSEXP003 // experimental in 10.4: the strongly consistent directory
            orleans.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            if (silo.ActivationRebalancer)
            {
#pragma warning disable ORLEANSEXP002 // experimental in 10.4: moves existing activations towards an even spread
                orleans.AddActivationRebalancer();
#pragma warning restore ORLEANSEXP002
            }

            if (configuration.GetValue("Dashboard:Enabled", defaultValue: true)) orleans.AddDashboard();
        });
        return builder;
    }

    private static IPEndPoint ConfigureEndpoints(ISiloBuilder orleans, SiloHostOptions silo, bool local)
    {
        var siloPort = Port(silo.Port, local ? 0 : 11111);
        var gatewayPort = Port(silo.GatewayPort, local ? 0 : 30000);
        orleans.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = silo.Advertised;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(silo.Listen, siloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(silo.Listen, gatewayPort);
        });
        return new IPEndPoint(silo.Advertised, siloPort);
    }

    private static void ConfigureMembership(ISiloBuilder orleans, EngineOptions engines, IConfiguration configuration, IPEndPoint siloEndpoint)
    {
        switch (engines.Membership.ToLowerInvariant())
        {
            case "local":
                // One silo alone: it is its own primary, and nothing outside the process is needed.
                orleans.UseDevelopmentClustering(siloEndpoint);
                break;
            case "redis":
                var redis = configuration["Redis:Configuration"] ?? "127.0.0.1:6379";
                orleans.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                break;
            default:
                var connectionString = PostgreSqlConnectionString(configuration, "Engines:Membership");
                orleans.AddDatabaseSchema(DatabaseEngine.PostgreSql, connectionString);
                orleans.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = connectionString;
                });
                break;
        }

        if (!engines.IsLocal)
        {
            // The production membership profile, measured through HTTP on the netns cluster (docs/reliability.md):
            // purchases on a kill -9'd silo's listings succeed again after 2–4 s, on a hung (SIGSTOPped) silo's after
            // ~11 s. A hung silo is declared dead only once its connections have been silent for MaxProbeTimeout
            // (4 × ProbeTimeout) × NumMissedProbesLimit = 8 s, so pauses shorter than that (GC, CPU starvation) are not
            // suspicion; Orleans also stretches probe timeouts while the prober itself is degraded. Two votes: one
            // starved silo cannot evict a healthy one alone. "Membership:*" overrides every value.
            orleans.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 2;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
            });

            // After a kill -9 the strongly consistent directory keeps the dead silo's grains from activating elsewhere
            // until this lease (counted from the estimated failure time) ends, in case the silo was only cut off and
            // still runs them. Orleans' 30 s made purchases on a killed silo's listings fail for 24 s; 5 s is enough
            // because a silo cut off is also declared dead and stops, and a stale activation cannot write anyway (the
            // journal appends at an expected position, grain state carries an ETag). "GrainDirectory:*" overrides it.
            orleans.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.FromSeconds(5));
        }

        orleans.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration("Membership");
    }

    private static void ConfigureStorage(ISiloBuilder orleans, EngineOptions engines, IConfiguration configuration)
    {
        switch (engines.Storage.ToLowerInvariant())
        {
            case "sqlite":
                var sqlite = (configuration.GetSection(SqliteOptions.SectionName).Get<SqliteOptions>() ?? new SqliteOptions()).ConnectionString;
                orleans.AddDatabaseSchema(DatabaseEngine.Sqlite, sqlite);
                orleans.AddSqliteGrainStorageAsDefault(sqlite);
                orleans.UseSqliteReminderService(o => o.ConnectionString = sqlite);
                orleans.Services.AddSqliteJournal(o => o.ConnectionString = sqlite);
                break;
            case "postgresql":
                var postgres = PostgreSqlConnectionString(configuration, "Engines:Storage");
                orleans.AddDatabaseSchema(DatabaseEngine.PostgreSql, postgres);
                orleans.AddAdoNetGrainStorageAsDefault(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = postgres;
                });
                orleans.UseAdoNetReminderService(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = postgres;
                });
                orleans.Services.AddPostgreSqlJournal(o =>
                {
                    o.ConnectionString = postgres;
                    // The journal keeps streams per Orleans service id: one value for both, never two defaults that drift.
                    o.ServiceId = ServiceId(configuration);
                });

                // Orleans' ADO.NET storage lets Npgsql's exceptions reach the grain's caller. Orleans serializes only
                // exceptions of the namespaces listed here: without "Npgsql" the failed response itself cannot be sent,
                // the caller gets a CodecNotFoundException, and the API answers 500 instead of 503.
                orleans.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
                break;
            default:
                orleans.AddMemoryGrainStorageAsDefault();
                orleans.UseInMemoryReminderService();
                orleans.Services.AddInMemoryJournal();
                break;
        }
    }

    private static void ConfigureRuntime(ISiloBuilder orleans)
    {
        orleans.Services.AddOptions<SiloMessagingOptions>().BindConfiguration("Messaging");
        orleans.Services.AddOptions<GrainCollectionOptions>().BindConfiguration("GrainCollection");
        orleans.Services.AddOptions<ReminderOptions>().BindConfiguration("Reminders");

        // RangeLeaseDuration bounds failover after a kill -9 (see ConfigureMembership for the clustered default).
        orleans.Services.AddOptions<GrainDirectoryOptions>().BindConfiguration("GrainDirectory");
    }

    private static string ServiceId(IConfiguration configuration) => configuration["Cluster:ServiceId"] ?? "fleamarket";

    private static string PostgreSqlConnectionString(IConfiguration configuration, string forSetting) =>
        configuration["PostgreSql:ConnectionString"] is { Length: > 0 } connectionString
            ? PostgreSqlSessions.WithDefaults(connectionString)
            : throw new InvalidOperationException($"PostgreSql:ConnectionString is required when {forSetting} is PostgreSql.");

    private static int Port(int? configured, int fallback) => (configured ?? fallback) switch
    {
        0 => FreePort(),
        var port => port,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
