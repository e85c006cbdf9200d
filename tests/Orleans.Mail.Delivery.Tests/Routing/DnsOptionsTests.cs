using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery.Routing;

namespace Orleans.Mail.Delivery.Tests.Routing;

public sealed class DnsOptionsTests
{
    [Fact]
    public void Constructor_Defaults_SystemResolvers5000MsOneRetry()
    {
        var options = new DnsOptions();

        Assert.Empty(options.Servers);
        Assert.Equal(5000, options.TimeoutMs);
        Assert.Equal(1, options.Retries);
    }

    [Theory]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353)]
    [InlineData("10.0.0.1", "10.0.0.1", 53)]
    [InlineData("[::1]:5300", "::1", 5300)]
    [InlineData("[2001:db8::53]", "2001:db8::53", 53)]
    public void ParseServer_AddressWithOrWithoutPort_ReturnsEndpoint(string text, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), DnsOptions.ParseServer(text));
    }

    [Theory]
    [InlineData("dns.example:53")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("")]
    public void ParseServer_NotAnAddressOrBadPort_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => DnsOptions.ParseServer(text));
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddMailDelivery();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddMailDelivery_DnsSection_BindsExactlyTheConfiguredServers()
    {
        using var provider = Provider(new()
        {
            ["Dns:Servers:0"] = "127.0.0.1:5353",
            ["Dns:Servers:1"] = "[::1]:5353",
            ["Dns:TimeoutMs"] = "700",
            ["Dns:Retries"] = "0",
        });

        var options = provider.GetRequiredService<IOptions<DnsOptions>>().Value;

        Assert.Equal(["127.0.0.1:5353", "[::1]:5353"], options.Servers);
        Assert.Equal((700, 0), (options.TimeoutMs, options.Retries));
        Assert.IsType<MxResolver>(provider.GetRequiredService<IMxResolver>());
        Assert.IsType<StaticMailRouter>(provider.GetRequiredService<IMailRouter>());
    }

    [Theory]
    [InlineData("Dns:Servers:0", "resolver.example:53")]
    [InlineData("Dns:TimeoutMs", "0")]
    [InlineData("Dns:Retries", "-1")]
    public void AddMailDelivery_InvalidDnsSetting_FailsValidation(string key, string value)
    {
        using var provider = Provider(new() { [key] = value });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DnsOptions>>().Value);
    }

    [Fact]
    public void AddMailDelivery_MxPortOutOfRange_FailsValidation()
    {
        using var provider = Provider(new() { ["Routing:MxPort"] = "70000" });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RoutingOptions>>().Value);
    }
}
