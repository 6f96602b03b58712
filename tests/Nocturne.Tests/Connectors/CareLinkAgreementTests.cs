using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Nocturne.Tests.Connectors;

/// <summary>
/// Checks the fake CareLink and our CareLink mapping against an independent client: the npm package
/// minimed-connect-to-nightscout (installed by deploy/local/test.sh, pinned) maps the fake's
/// <c>patientData</c> with its own transform, and our connector, having synced the same patient from
/// the fake, must hold the same readings (values, times) and the same pump state.
/// </summary>
public sealed class CareLinkAgreementTests(ConnectorHost host) : IClassFixture<ConnectorHost>
{
    // The package's transform, on the European server's clock rules (the pump's local time less the
    // whole hours by which it is ahead of the server).
    private const string Script = """
        const transform = require(process.env.MINIMED_DIR + '/transform.js');
        const data = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        process.stdout.write('MAPPED ' + JSON.stringify(transform(data)) + '\n');
        """;

    [Fact]
    public async Task MinimedConnectMapsTheFakesPatientDataAsOurConnectorDoes()
    {
        var package = Environment.GetEnvironmentVariable("NOCTURNE_MINIMED_CONNECT");
        Assert.True(package is not null && File.Exists(Path.Combine(package, "transform.js")),
            "minimed-connect-to-nightscout is not installed: run the tests through deploy/local/test.sh, which installs it from npm");

        var (site, secret) = await host.Api.CreateSiteAsync("clagree");
        var username = $"agree-{Guid.NewGuid():N}"[..16];
        var (_, login) = host.CareLink.AddAccount(username, "PATIENT_OUS");
        // A European pump two hours ahead of UTC (CareLink labels its clock as UTC anyway).
        var patient = host.CareLink.Patients[username] = new FakeCareLink.Patient { PumpOffsetHours = 2 };
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        for (var i = 24; i >= 1; i--)
        {
            patient.Readings.Add((now.AddMinutes(-5 * i), i == 7 ? 0 : 90 + (i * 5), i == 7 ? "CALIBRATION_REQUIRED" : "NO_ERROR_MESSAGE"));
        }

        await host.ConfigureAsync(site, secret, "carelink", new { token = login, region = "eu", intervalSeconds = 3600 });
        Assert.Equal("healthy", (await host.SyncAsync(site, secret, "carelink")).GetProperty("health").GetString());
        var ours = await host.EntriesAsync(site, secret);
        var ourStatus = (await host.Api.GetOkAsync(site, secret, "/api/v1/devicestatus.json?count=1"))[0];

        JsonObject data;
        lock (patient)
        {
            data = FakeCareLink.PatientData(patient);
        }

        var theirs = await TransformAsync(package, data);
        var entries = theirs["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal(23, entries.Count);
        Assert.Equal(entries.Count, ours.Count);
        foreach (var entry in entries)
        {
            var date = (long)entry["date"]!;
            var mine = Assert.Single(ours, e => e.GetProperty("date").GetInt64() == date);
            Assert.Equal((int)entry["sgv"]!, mine.GetProperty("sgv").GetInt32());
            Assert.Equal((string?)entry["type"], mine.GetProperty("type").GetString());
            Assert.Equal(DateTimeOffset.Parse((string)entry["dateString"]!), DateTimeOffset.Parse(mine.GetProperty("dateString").GetString()!));
        }

        // The readings' times are the real ones (the pump's clock is two hours ahead).
        Assert.Equal(patient.Readings.Where(r => r.Sg > 0).Select(r => r.At.ToUnixTimeMilliseconds()).Order(), entries.Select(e => (long)e["date"]!).Order());

        var status = theirs["devicestatus"]!.AsArray().Single()!.AsObject();
        var pump = ourStatus.GetProperty("pump");
        Assert.Equal((double)status["pump"]!["battery"]!["percent"]!, pump.GetProperty("battery").GetProperty("percent").GetDouble());
        Assert.Equal((double)status["pump"]!["reservoir"]!, pump.GetProperty("reservoir").GetDouble());
        Assert.Equal((double)status["pump"]!["iob"]!["bolusiob"]!, pump.GetProperty("iob").GetProperty("bolusiob").GetDouble());
        Assert.Equal((double)status["uploader"]!["battery"]!, ourStatus.GetProperty("uploader").GetProperty("battery").GetDouble());
    }

    private static async Task<JsonObject> TransformAsync(string package, JsonObject data)
    {
        var start = new ProcessStartInfo("node", ["-e", Script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["MINIMED_DIR"] = package;
        start.Environment["MMCONNECT_SERVER"] = "EU";
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(data.ToJsonString());
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("MAPPED ", StringComparison.Ordinal));
        Assert.True(line is not null, $"the package did not map the data: {output} {await node.StandardError.ReadToEndAsync()}");
        return JsonNode.Parse(line["MAPPED ".Length..])!.AsObject();
    }
}
