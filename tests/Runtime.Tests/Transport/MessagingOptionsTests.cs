using FleaMarket.Runtime.Transport;

namespace FleaMarket.Runtime.Tests.Transport;

public sealed class MessagingOptionsTests
{
    [Fact]
    public void Validate_Defaults_Passes() => new MessagingOptions().Validate();

    [Theory]
    [InlineData(nameof(MessagingOptions.ResponseTimeout))]
    [InlineData(nameof(MessagingOptions.ConnectTimeout))]
    [InlineData(nameof(MessagingOptions.MaxMessageBytes))]
    [InlineData(nameof(MessagingOptions.ListenBacklog))]
    public void Validate_SettingOutOfRange_ThrowsNamingIt(string setting)
    {
        var options = new MessagingOptions();
        switch (setting)
        {
            case nameof(MessagingOptions.ResponseTimeout): options.ResponseTimeout = TimeSpan.Zero; break;
            case nameof(MessagingOptions.ConnectTimeout): options.ConnectTimeout = TimeSpan.FromSeconds(-1); break;
            case nameof(MessagingOptions.MaxMessageBytes): options.MaxMessageBytes = 10; break;
            default: options.ListenBacklog = 0; break;
        }

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
