namespace FleaMarket.Runtime.Activation;

/// <summary>
/// The silo turned a request away before any grain code ran (it is stopping, or the grain is still moving
/// to it). Remote callers receive it as an "unavailable" response and may safely send the call again.
/// </summary>
internal class RequestRejectedException(string message) : RetriableCallException(message);
