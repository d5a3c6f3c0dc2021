using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Setup;

namespace FleaMarket.LoadTest.Tests.Setup;

public sealed class ParticipantTests
{
    [Fact]
    public void SessionKey_Token_IsHexSha256AsTheApiKeysSessions()
    {
        // src/Api's SessionTokens.SessionKey: lower-case hex SHA-256 of the token's UTF-8 bytes (FIPS 180-2's "abc" vector).
        var participant = new Participant("buyer", "u_1", ApiClient.Bearer("abc"));

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", participant.SessionKey);
    }
}
