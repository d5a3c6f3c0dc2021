using System.Reflection;

namespace FleaMarket.LoadTest.Tests.Infrastructure;

/// <summary>Where the repository's build outputs are, for the configuration these tests were built in.</summary>
internal static class BuildOutput
{
    public static string Configuration { get; } =
        typeof(BuildOutput).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The dll of a project's build, e.g. ("src/Silo", "FleaMarket.Silo").</summary>
    public static string Dll(string projectDirectory, string assemblyName)
    {
        var path = Path.Combine(RepositoryRoot, projectDirectory, "bin", Configuration, "net10.0", assemblyName + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {projectDirectory} in {Configuration} first.", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FleaMarket.Orleans.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException("FleaMarket.Orleans.sln not found above the test output directory.");
    }
}
