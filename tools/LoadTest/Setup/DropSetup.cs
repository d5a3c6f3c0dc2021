using System.Diagnostics;
using System.Security.Cryptography;
using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;

namespace FleaMarket.LoadTest.Setup;

/// <summary>
/// Creates the drop: seller, buyers with sessions, then the market and its listings. The market is created after
/// the buyers so that the countdown to the opening is not eaten by password hashing on the server.
/// </summary>
internal sealed class DropSetup(ApiClient api, DropOptions options, DropProgress progress)
{
    // Usernames are unique per run, so several rehearsals can share one server.
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    public async Task<DropWorld> RunAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        progress.Phase = "creating the seller";
        var seller = await SignUpAsync($"lt{_run}s", "Rehearsal seller", ct).ConfigureAwait(false);

        progress.Phase = "creating buyers";
        var buyers = new Participant[options.Buyers];
        await SetupRetry.ForEachAsync(options.Buyers, options.SetupConcurrency, ct, async (i, token) =>
        {
            buyers[i] = await SignUpAsync($"lt{_run}b{i}", $"Buyer {i}", token).ConfigureAwait(false);
            Interlocked.Increment(ref progress.BuyersReady);
        }).ConfigureAwait(false);

        progress.Phase = "creating the market";
        var opensAt = DateTimeOffset.UtcNow.AddSeconds(options.OpensInSeconds);
        var market = (await SetupRetry.RunAsync("Create the market", t => api.PostAsync<MarketBody>(
            "/api/markets", new NewMarket($"Drop rehearsal {_run}", "Created by FleaMarket.LoadTest.", opensAt, null), seller.Auth, t), ct)
            .ConfigureAwait(false)).Expect("Create the market");

        progress.Phase = "creating listings";
        var listings = new string[options.Listings];
        await SetupRetry.ForEachAsync(options.Listings, options.SetupConcurrency, ct, async (i, token) =>
        {
            var body = new NewListing($"Item {i}", null, options.PriceCents, options.Stock, options.MaxPerBuyer);
            var response = await SetupRetry.RunAsync($"Add listing {i}", t => api.PostAsync<ListingBody>(
                $"/api/markets/{market.MarketId}/listings", body, seller.Auth, t), token).ConfigureAwait(false);
            listings[i] = response.Expect($"Add listing {i}").ListingId;
            Interlocked.Increment(ref progress.ListingsReady);
        }).ConfigureAwait(false);

        return new DropWorld(seller, market.MarketId, market.OpensAt, listings, buyers, clock.Elapsed);
    }

    private async Task<Participant> SignUpAsync(string username, string displayName, CancellationToken ct)
    {
        var password = $"rehearsal-{_run}";
        var user = (await SetupRetry.RunAsync($"Register {username}", t => api.PostAsync<UserBody>(
            "/api/users", new NewUser(username, password, displayName), null, t), ct).ConfigureAwait(false)).Expect($"Register {username}");
        var session = (await SetupRetry.RunAsync($"Log in {username}", t => api.PostAsync<SessionBody>(
            "/api/sessions", new Credentials(username, password), null, t), ct).ConfigureAwait(false)).Expect($"Log in {username}");
        return new Participant(username, user.UserId, ApiClient.Bearer(session.Token));
    }
}
