using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Redis.Membership;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FleaMarket.Runtime.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisServiceCollectionExtensionsTests(RedisServerFixture fixture)
{
    [Theory]
    [InlineData("Endpoint", "no-port")]
    [InlineData("Database", "-1")]
    [InlineData("CommandTimeout", "00:00:00")]
    [InlineData("ClusterId", " ")]
    public async Task AddRedisMembership_InvalidSetting_HostStartFailsNamingIt(string setting, string value)
    {
        using var host = Host(new() { [$"Redis:{setting}"] = value });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRedisMembership_ConfigurationSection_BindsOptionsAndServesTheTable()
    {
        var clusterId = Guid.NewGuid().ToString("N");
        using var host = Host(new() { ["Redis:Endpoint"] = fixture.Server.Endpoint, ["Redis:ClusterId"] = clusterId });
        await host.StartAsync();

        var table = Assert.IsType<RedisMembershipTable>(host.Services.GetRequiredService<IMembershipTable>());

        Assert.Equal($"fleamarket:{clusterId}:membership", table.Key);
        Assert.Equal(0, (await table.ReadAllAsync()).Version);
        await host.StopAsync();
    }

    [Fact]
    public void AddRedisMembership_CalledTwiceAfterAnotherTable_KeepsTheFirstRegistration()
    {
        var services = new ServiceCollection();
        var inMemory = new InMemoryMembershipTable();
        services.AddSingleton<IMembershipTable>(inMemory);

        services.AddRedisMembership().AddRedisMembership(o => o.Database = 2);

        Assert.Single(services, d => d.ServiceType == typeof(IMembershipTable));
        Assert.Single(services, d => d.ServiceType == typeof(FleaMarket.Runtime.Redis.Resp.RedisConnection));
    }

    [Fact]
    public void AddRedisMembership_ConfigureAction_RunsAfterConfiguration()
    {
        using var host = Host(new() { ["Redis:Endpoint"] = "10.0.0.1:1", ["Redis:Database"] = "4" }, o => o.Endpoint = fixture.Server.Endpoint);

        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisOptions>>().Value;

        Assert.Equal(fixture.Server.Endpoint, options.Endpoint);
        Assert.Equal(4, options.Database);
    }

    private static IHost Host(Dictionary<string, string?> settings, Action<RedisOptions>? configure = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRedisMembership(configure);
        return builder.Build();
    }
}
