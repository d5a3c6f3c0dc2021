using System.Net;
using System.Net.Sockets;
using FleaMarket.Persistence.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>
/// Orleans' ADO.NET clustering on our PostgreSQL schema: a real silo host on TCP (free ports) and a client that
/// finds its gateway through the membership table.
/// </summary>
[Collection(PostgreSqlSchemaCollection.Name)]
public sealed class PostgreSqlClusteringTests(PostgreSqlServerFixture postgres)
{
    [Fact]
    public async Task Clustering_SiloOnAdoNet_ClientConnectsThroughGatewayListAndSiloLeavesDead()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var clusterId = $"cluster-{Guid.NewGuid():N}";
        var serviceId = $"service-{Guid.NewGuid():N}";
        var gatewayPort = FreePort();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var siloBuilder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        siloBuilder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), gatewayPort);
            silo.AddDatabaseSchema(DatabaseEngine.PostgreSql, connectionString);
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = PostgreSqlTestSilo.Invariant;
                options.ConnectionString = connectionString;
            });
        });
        using var siloHost = siloBuilder.Build();
        await siloHost.StartAsync(deadline.Token);
        try
        {
            var clientBuilder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            clientBuilder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = clusterId;
                    options.ServiceId = serviceId;
                });
                // The client reads the silo's gateway from the membership table (GatewaysQueryKey).
                client.UseAdoNetClustering(options =>
                {
                    options.Invariant = PostgreSqlTestSilo.Invariant;
                    options.ConnectionString = connectionString;
                });
            });
            using var clientHost = clientBuilder.Build();
            await clientHost.StartAsync(deadline.Token);
            try
            {
                var client = clientHost.Services.GetRequiredService<IClusterClient>();
                Assert.Equal("hello", await client.GetGrain<IPingGrain>("hello").PingAsync());
            }
            finally
            {
                await clientHost.StopAsync(CancellationToken.None);
            }

            Assert.Equal([(3, gatewayPort)], await MembersAsync(connectionString, clusterId));
        }
        finally
        {
            await siloHost.StopAsync(CancellationToken.None);
        }

        // A graceful stop marks the row Dead (6) through UpdateMembershipKey, a version compare-and-swap.
        Assert.Equal([(6, gatewayPort)], await MembersAsync(connectionString, clusterId));
    }

    private static async Task<List<(int Status, int ProxyPort)>> MembersAsync(string connectionString, string clusterId)
    {
        var rows = new List<(int, int)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status, proxy_port FROM orleans_membership WHERE deployment_id = @cluster", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }

        return rows;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
