namespace FleaMarket.Persistence.Journals;

/// <summary>One event of a journal stream with its 1-based position in the stream.</summary>
/// <typeparam name="TEvent">The event type, stored as System.Text.Json.</typeparam>
/// <param name="Position">1 for the first event of the stream, then one more for each.</param>
/// <param name="Event">The event as it was appended.</param>
public sealed record JournalEntry<TEvent>(long Position, TEvent Event);
