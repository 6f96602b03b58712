using System.Diagnostics;
using System.Text.Json;
using Nocturne.Grains.Connectors.Sources;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// Checks the fake Dexcom Share against a real client: the npm package share2nightscout-bridge
/// (installed by deploy/local/test.sh, pinned) logs in to the fake and reads its glucose values,
/// and maps them to the same Nightscout values, times and directions as our Dexcom source.
/// </summary>
public sealed class ShareBridgeAgreementTests
{
    private const string Script = """
        const engine = require(process.env.BRIDGE_DIR + '/index.js');
        engine({
          login: { accountName: process.env.ACCOUNT, password: process.env.PASSWORD },
          fetch: { minutes: 1440, maxCount: 288 },
          nightscout: {}, maxFailures: 1, firstFetchCount: 288,
          callback: (err, entries) => { process.stdout.write('ENTRIES ' + JSON.stringify(entries) + '\n'); process.exit(err ? 1 : 0); },
        });
        setTimeout(() => { process.stdout.write('TIMEOUT\n'); process.exit(2); }, 30000);
        """;

    [Fact]
    public async Task TheRealShareBridgeReadsTheFakeAndMapsReadingsAsWeDo()
    {
        var bridge = Environment.GetEnvironmentVariable("NOCTURNE_SHARE_BRIDGE");
        Assert.True(bridge is not null && File.Exists(Path.Combine(bridge, "index.js")),
            "share2nightscout-bridge is not installed: run the tests through deploy/local/test.sh, which installs it from npm");

        await using var dexcom = new FakeDexcomShare();
        await dexcom.StartAsync(https: true);
        var now = DateTimeOffset.UtcNow;
        var readings = FakeReading.Series(now.AddHours(-3), now.AddMinutes(-1), TimeSpan.FromMinutes(5));
        // Every trend the service knows, by name and (in older answers) by number.
        for (var trend = 0; trend <= 9; trend++)
        {
            readings[trend] = readings[trend] with { Trend = trend };
        }

        dexcom.AddAccount("bridge-user", "bridge-password", readings);
        foreach (var asNames in new[] { true, false })
        {
            dexcom.TrendsAsNames = asNames;
            var start = new ProcessStartInfo("node", ["-e", Script]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["BRIDGE_DIR"] = bridge;
            start.Environment["BRIDGE_SERVER"] = dexcom.BaseUrl.Authority;
            start.Environment["ACCOUNT"] = "bridge-user";
            start.Environment["PASSWORD"] = "bridge-password";
            using var node = Process.Start(start)!;
            var output = await node.StandardOutput.ReadToEndAsync();
            await node.WaitForExitAsync();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("ENTRIES ", StringComparison.Ordinal));
            Assert.True(line is not null, $"the bridge did not read the fake: {output} {await node.StandardError.ReadToEndAsync()}");

            var entries = JsonDocument.Parse(line["ENTRIES ".Length..]).RootElement.EnumerateArray().ToList();
            Assert.Equal(readings.Count, entries.Count);
            foreach (var entry in entries)
            {
                var date = entry.GetProperty("date").GetInt64();
                var reading = Assert.Single(readings, r => r.Ms == date);
                var ours = GlucoseEntry.Create("nocturne-dexcom-share", reading.Ms, reading.Mgdl, reading.Trend);
                Assert.Equal((int)ours["sgv"]!, entry.GetProperty("sgv").GetInt32());
                Assert.Equal((int)ours["trend"]!, entry.GetProperty("trend").GetInt32());
                Assert.Equal((string)ours["direction"]!, entry.GetProperty("direction").GetString());
                Assert.Equal((string)ours["dateString"]!, entry.GetProperty("dateString").GetString());
            }
        }

        Assert.Contains(("bridge-user", 1440, 288), dexcom.Reads);
    }
}
