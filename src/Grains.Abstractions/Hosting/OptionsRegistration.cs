using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FleaMarket.Hosting;

/// <summary>How every host entry point registers its settings: bound from a section, validated at start.</summary>
public static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from configuration section <paramref name="section"/> and runs
    /// <paramref name="validate"/> when the host starts, so a bad setting stops the process with its message.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section, Action<T> validate, string? name = null)
        where T : class =>
        services.AddOptions<T>(name ?? Options.DefaultName).BindConfiguration(section).Validate(o =>
        {
            validate(o);
            return true;
        }).ValidateOnStart();
}
