namespace Nocturne.FakeVendors;

/// <summary>
/// One fake cloud per connector kind, started together, with the configuration that points the
/// connectors' vendor hosts (<c>Connectors:Servers:{kind}:{region}</c>) at them.
/// </summary>
public sealed class FakeVendorSet : IAsyncDisposable
{
    public FakeDexcomShare Dexcom { get; } = new();

    public FakeLibreLinkUp Libre { get; } = new();

    public FakeTidepool Tidepool { get; } = new();

    public FakeGlooko Glooko { get; } = new();

    public FakeCareLink CareLink { get; } = new();

    public FakeTandem Tandem { get; } = new();

    public FakeMyFitnessPal MyFitnessPal { get; } = new();

    /// <summary>Stands in for a remote Nightscout where a real server is too heavy (the benchmark).</summary>
    public FakeNightscout Nightscout { get; } = new();

    public IEnumerable<FakeVendorServer> All => [Dexcom, Libre, Tidepool, Glooko, CareLink, Tandem, MyFitnessPal, Nightscout];

    public async Task StartAsync()
    {
        foreach (var vendor in All)
        {
            await vendor.StartAsync();
        }
    }

    /// <summary>The vendor host overrides for every fake (the Nightscout one is a per-connector URL, not a host).</summary>
    public Dictionary<string, string?> ServerSettings()
    {
        var settings = new Dictionary<string, string?>();
        AddServers(settings, Dexcom, Libre);
        settings["Connectors:Servers:tidepool:us"] = Tidepool.BaseUrl.ToString();
        settings["Connectors:Servers:myfitnesspal:global"] = MyFitnessPal.BaseUrl.ToString();
        foreach (var region in new[] { "us", "eu" })
        {
            settings[$"Connectors:Servers:tandem:{region}"] = Tandem.BaseUrl.ToString();
            settings[$"Connectors:Servers:carelink:{region}"] = CareLink.BaseUrl.ToString();
        }

        foreach (var region in new[] { "us", "eu", "ca" })
        {
            settings[$"Connectors:Servers:glooko:{region}"] = Glooko.BaseUrl.ToString();
        }

        return settings;
    }

    /// <summary>Dexcom Share and LibreLinkUp hosts alone (tests that start only those two).</summary>
    public static void AddServers(IDictionary<string, string?> settings, FakeDexcomShare dexcom, FakeLibreLinkUp libre)
    {
        settings["Connectors:Servers:dexcom:us"] = dexcom.BaseUrl.ToString();
        foreach (var region in FakeLibreLinkUp.Regions)
        {
            settings[$"Connectors:Servers:librelinkup:{region}"] = new Uri(libre.BaseUrl, region + "/").ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var vendor in All)
        {
            await vendor.DisposeAsync();
        }
    }
}
