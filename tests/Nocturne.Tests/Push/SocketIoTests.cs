using System.Text.Json;
using Nocturne.Tests.Infrastructure;

namespace Nocturne.Tests.Push;

/// <summary>
/// The Socket.IO endpoint checked with the real npm socket.io-client over WebSocket and long-polling, against the API
/// on Kestrel: the reference's authorize/dataUpdate on the main namespace and subscribe/alarms/ack
/// on <c>/alarm</c>, per site.
/// </summary>
public sealed class SocketIoTests
{
    [Fact]
    public async Task TheRealClientAuthorizesReceivesUpdatesAndAlarmsAcksAndSeesOnlyItsSite()
    {
        await using var host = await KestrelApi.StartAsync();
        var http = host.Http;
        var api = new SiteApi(http);
        var (siteA, secretA) = await api.CreateSiteAsync("sioa", new
        {
            authDefaultRoles = new[] { "denied" },
            alarmTypes = new[] { "simple" },
            thresholds = new { bgHigh = 260, bgTargetTop = 180, bgTargetBottom = 80, bgLow = 55 },
        });
        var (siteB, secretB) = await api.CreateSiteAsync("siob", new { authDefaultRoles = new[] { "denied" } });
        var tokenA = await api.TokenAsync(siteA, secretA, "readable");
        var tokenB = await api.TokenAsync(siteB, secretB, "readable");
        var earlier = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 120_000;
        await api.PostEntryAsync(siteA, secretA, 100, earlier);

        await using var node = SocketIoNodeClient.Start(http.BaseAddress!.ToString());
        await node.OpenAsync("a", siteA);
        await node.NextAsync("a", "connect");
        await node.EmitAsync("a", "authorize", new { client = "web", token = tokenA, history = 1 });
        var granted = await node.NextAsync("a", "callback:authorize");
        Assert.True(granted.GetProperty("read").GetBoolean());
        Assert.False(granted.GetProperty("write").GetBoolean());
        // As the reference: "connected" and the first (full) dataUpdate come before the callback.
        Assert.Equal(["connect", "connected", "dataUpdate", "callback:authorize"], node.Seen("a").Select(e => e.Event));
        var initial = node.Seen("a").Single(e => e.Event == "dataUpdate").Data;
        Assert.Contains(initial.GetProperty("sgvs").EnumerateArray(), s => s.GetProperty("mgdl").GetInt32() == 100 && s.GetProperty("mills").GetInt64() == earlier);

        await node.OpenAsync("b", siteB);
        await node.NextAsync("b", "connect");
        await node.EmitAsync("b", "authorize", new { client = "web", token = tokenB });
        Assert.True((await node.NextAsync("b", "callback:authorize")).GetProperty("read").GetBoolean());

        // A wrong token is refused: the server disconnects the socket.
        await node.OpenAsync("wrong", siteA);
        await node.NextAsync("wrong", "connect");
        await node.EmitAsync("wrong", "authorize", new { client = "web", token = "wrong-0123456789abcdef" });
        Assert.Equal("io server disconnect", (await node.NextAsync("wrong", "disconnect")).GetString());
        Assert.DoesNotContain(node.Seen("wrong"), e => e.Event is "dataUpdate" or "callback:authorize");

        // Alarms come on the reference's /alarm namespace; the admin secret may acknowledge them.
        await node.OpenAsync("alarms", siteA, "/alarm");
        await node.NextAsync("alarms", "connect");
        await node.EmitAsync("alarms", "subscribe", new { secret = MultiSiteApi.Sha1(secretA) });
        var subscribed = await node.NextAsync("alarms", "callback:subscribe");
        Assert.True(subscribed.GetProperty("success").GetBoolean());
        Assert.True(subscribed.GetProperty("ack").GetBoolean());

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await api.PostEntryAsync(siteA, secretA, 45, now);
        var delta = await node.NextAsync("a", "dataUpdate", d => d.TryGetProperty("delta", out _));
        var sgv = delta.GetProperty("sgvs").EnumerateArray().Single();
        Assert.Equal(45, sgv.GetProperty("mgdl").GetInt32());
        Assert.Equal(now, sgv.GetProperty("mills").GetInt64());
        var urgent = await node.NextAsync("alarms", "urgent_alarm");
        Assert.Equal("Urgent LOW", urgent.GetProperty("title").GetString());

        // ack(level, group, silenceTime) as the reference's clients send it.
        await node.SendAsync("alarms", "ack", 2, "default", 600_000);
        var clear = await node.NextAsync("alarms", "clear_alarm");
        Assert.Equal("All Clear", clear.GetProperty("title").GetString());
        await api.PostEntryAsync(siteA, secretA, 44, now + 1000);
        await node.NextAsync("a", "dataUpdate", d => d.TryGetProperty("sgvs", out var s) && s[0].GetProperty("mgdl").GetInt32() == 44);
        var alarms = await AlarmsWhenAsync(api, siteA, secretA, now + 1000);
        Assert.True(alarms.GetProperty("active")[0].GetProperty("snoozed").GetBoolean());

        // Site B's follower got nothing of site A: its next update is its own upload.
        await api.PostEntryAsync(siteB, secretB, 150, now);
        await node.NextAsync("b", "dataUpdate", d => d.TryGetProperty("delta", out _));
        var seenByB = node.Seen("b").Where(e => e.Event != "connect" && e.Event != "callback:authorize").Select(e => e.Data.ToString()).ToList();
        Assert.Contains(seenByB, d => d.Contains("150", StringComparison.Ordinal));
        Assert.DoesNotContain(seenByB, d => d.Contains(":45,", StringComparison.Ordinal) || d.Contains(":44,", StringComparison.Ordinal) || d.Contains("Urgent", StringComparison.Ordinal));
        Assert.DoesNotContain(node.Seen("b"), e => e.Event is "urgent_alarm" or "alarm");
    }

    [Fact]
    public async Task TheReferenceWebClientsLongPollingWithSharedNamespacesWorks()
    {
        await using var host = await KestrelApi.StartAsync();
        var http = host.Http;
        var api = new SiteApi(http);
        var (site, secret) = await api.CreateSiteAsync("siopoll", new
        {
            authDefaultRoles = new[] { "denied" },
            alarmTypes = new[] { "simple" },
            thresholds = new { bgHigh = 260, bgTargetTop = 180, bgTargetBottom = 80, bgLow = 55 },
        });
        var token = await api.TokenAsync(site, secret, "readable");
        var earlier = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 120_000;
        await api.PostEntryAsync(site, secret, 101, earlier);

        // As lib/client/index.js: io.connect({ transports: ["polling"] }) and
        // io.connect("/alarm", { multiplex: true, transports: ["polling"] }).
        await using var node = SocketIoNodeClient.Start(http.BaseAddress!.ToString());
        await node.OpenPollingAsync("main", site, "web");
        await node.OpenPollingAsync("alarm", site, "web", "/alarm");
        await node.NextAsync("main", "connect");
        await node.NextAsync("alarm", "connect");
        await node.EmitAsync("main", "authorize", new { client = "web", token, history = 1 });
        Assert.True((await node.NextAsync("main", "callback:authorize")).GetProperty("read").GetBoolean());
        var initial = node.Seen("main").Single(e => e.Event == "dataUpdate").Data;
        Assert.Contains(initial.GetProperty("sgvs").EnumerateArray(), s => s.GetProperty("mgdl").GetInt32() == 101 && s.GetProperty("mills").GetInt64() == earlier);
        await node.EmitAsync("alarm", "subscribe", new { secret = MultiSiteApi.Sha1(secret) });
        Assert.True((await node.NextAsync("alarm", "callback:subscribe")).GetProperty("success").GetBoolean());

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await api.PostEntryAsync(site, secret, 45, now);
        var delta = await node.NextAsync("main", "dataUpdate", d => d.TryGetProperty("delta", out _));
        Assert.Equal(45, delta.GetProperty("sgvs")[0].GetProperty("mgdl").GetInt32());
        Assert.Equal("Urgent LOW", (await node.NextAsync("alarm", "urgent_alarm")).GetProperty("title").GetString());
        await node.SendAsync("alarm", "ack", 2, "default", 600_000);
        Assert.Equal("All Clear", (await node.NextAsync("alarm", "clear_alarm")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task UnknownSessionsTransportsAndOlderProtocolsGetEngineIoErrors()
    {
        await using var host = new MultiSiteApi();
        await host.InitializeAsync();
        var (site, _) = await host.CreateSiteAsync("sioerr");
        var (other, _) = await host.CreateSiteAsync("sioother");

        using var handshake = await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&t=a1");
        Assert.Equal(System.Net.HttpStatusCode.OK, handshake.StatusCode);
        var open = await handshake.Content.ReadAsStringAsync();
        Assert.StartsWith("0{", open, StringComparison.Ordinal);
        var sid = JsonDocument.Parse(open[1..]).RootElement.GetProperty("sid").GetString()!;

        // A session belongs to its site: its id means nothing on another site's path.
        await AssertEngineErrorAsync(await host.Client.GetAsync($"/t/{other}/socket.io/?EIO=4&transport=polling&sid={sid}"), 400, 1);
        await AssertEngineErrorAsync(await host.Client.PostAsync($"/t/{other}/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("40")), 400, 1);
        await AssertEngineErrorAsync(await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid=nosuchsession"), 400, 1);
        await AssertEngineErrorAsync(await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=flashsocket"), 400, 0);
        await AssertEngineErrorAsync(await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=3&transport=polling"), 400, 5);

        // The main namespace connects over a POST and its answer comes on the next poll.
        using (var connect = await host.Client.PostAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent("40")))
        {
            Assert.Equal("ok", await connect.Content.ReadAsStringAsync());
        }

        using (var poll = await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}"))
        {
            Assert.StartsWith("40{\"sid\":", await poll.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Packets of the wrong shape are ignored, never an error: event names that are not strings, an ack
        // with an object for its level, broken JSON, an unknown namespace, two packets in one body.
        foreach (var junk in new[] { "42[1,2]", "42[{\"a\":1}]", "42[\"ack\",{\"x\":1}]", "42[", "4", "9", "40/nope,", "2probe\u001e42[null]" })
        {
            using var ignored = await host.Client.PostAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent(junk));
            Assert.Equal(System.Net.HttpStatusCode.OK, ignored.StatusCode);
        }

        using (var answers = await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}"))
        {
            // The only answers: the unknown namespace's connect error and the pong to the probe ping.
            Assert.Equal("44/nope,{\"message\":\"Invalid namespace\"}\u001e3probe", await answers.Content.ReadAsStringAsync());
        }

        // More than maxPayload in one POST ends the session: the client is told its namespace is
        // disconnected, then the close packet, then the session is unknown.
        using (var large = await host.Client.PostAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent(new string('x', 1_000_001))))
        {
            Assert.Equal(413, (int)large.StatusCode);
        }

        using (var disconnect = await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}"))
        {
            Assert.Equal("41", await disconnect.Content.ReadAsStringAsync());
        }

        using (var close = await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}"))
        {
            Assert.Equal("1", await close.Content.ReadAsStringAsync());
        }

        await AssertEngineErrorAsync(await host.Client.GetAsync($"/t/{site}/socket.io/?EIO=4&transport=polling&sid={sid}"), 400, 1);
    }

    private static async Task AssertEngineErrorAsync(HttpResponseMessage response, int status, int code)
    {
        using (response)
        {
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32());
        }
    }

    private static async Task<JsonElement> AlarmsWhenAsync(SiteApi api, string site, string secret, long lastReading)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var alarms = (await api.SendOkAsync(site, secret, HttpMethod.Get, "/api/v2/properties/alarms")).GetProperty("alarms");
            if (alarms.GetProperty("lastReading").GetInt64() == lastReading || DateTime.UtcNow > deadline)
            {
                return alarms;
            }

            await Task.Delay(100);
        }
    }
}
