namespace Orleans.Mail.TestSupport;

/// <summary>Where the repository and the built hosts are, for tests that run them as real processes.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug unless ORLEANS_MAIL_BUILD_CONFIGURATION says otherwise (scripts/test.sh builds Release).</summary>
    public static string Configuration => Environment.GetEnvironmentVariable("ORLEANS_MAIL_BUILD_CONFIGURATION") ?? "Debug";

    public static string SiloDll => Built("silo/Orleans.Mail.Silo", "Orleans.Mail.Silo.dll");

    public static string GatewayDll => Built("gateway/Orleans.Mail.Gateway", "Orleans.Mail.Gateway.dll");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built: run dotnet build -c {Configuration} first.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Mail.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Orleans.Mail.sln not found above the test binaries.");
    }
}
