using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// Dexcom Share (the follower cloud of the Dexcom apps), as documented in docs/connectors/dexcom-share.md:
/// two-step login to a session id, then the latest glucose values for up to 1440 minutes / 288 values.
/// Dexcom reports its errors as HTTP 500 with a JSON <c>Code</c>, so those are never retried blindly.
/// </summary>
public sealed partial class DexcomShareSource(IOptions<ConnectorOptions> options) : IConnectorSource
{
    public const string ApplicationId = "d89443d2-327c-4a6f-89e5-496bbb0317db";
    public const string JapanApplicationId = "d8665ade-9673-4e27-9ff6-92db4ce13d13";
    private const string ServicePath = "ShareWebServices/Services/";
    private const string NoSession = "00000000-0000-0000-0000-000000000000";
    private const int MaxMinutes = 1440;
    private const int MaxCount = 288;

    private static readonly Dictionary<string, string> Servers = new(StringComparer.Ordinal)
    {
        ["us"] = "https://share2.dexcom.com/",
        ["ous"] = "https://shareous1.dexcom.com/",
        ["jp"] = "https://share.dexcom.jp/",
    };

    private static readonly Dictionary<string, int> TrendNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["None"] = 0, ["DoubleUp"] = 1, ["SingleUp"] = 2, ["FortyFiveUp"] = 3, ["Flat"] = 4,
        ["FortyFiveDown"] = 5, ["SingleDown"] = 6, ["DoubleDown"] = 7, ["NotComputable"] = 8, ["RateOutOfRange"] = 9,
        ["NOT COMPUTABLE"] = 8, ["RATE OUT OF RANGE"] = 9,
    };

    // Codes after which another attempt only makes things worse (or locks the account).
    private static readonly HashSet<string> PermanentCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "AccountPasswordInvalid", "SSO_AuthenticatePasswordInvalid", "SSO_AuthenticateAccountNotFound",
        "SSO_AuthenticateMaxAttemptsExceeed", "SSO_AuthenticateMaxAttemptsExceeded", "AccountNotFound", "SSO_InternalError",
    };

    private static readonly HashSet<string> SessionCodes = new(StringComparer.OrdinalIgnoreCase) { "SessionIdNotFound", "SessionNotValid" };

    public string Kind => ConnectorKinds.DexcomShare;

    public string Device => "nocturne-dexcom-share";

    public TimeSpan DataInterval => TimeSpan.FromMinutes(5);

    public TimeSpan MaxLookBack => TimeSpan.FromMinutes(MaxMinutes);

    public IReadOnlyList<Collection> GapCollections { get; } = [Collection.Entries];

    public string? Validate(ConnectorSettings settings) =>
        string.IsNullOrWhiteSpace(settings.Username) ? "username is required"
        : string.IsNullOrEmpty(settings.Password) ? "password is required"
        : !Servers.ContainsKey(Region(settings)) ? $"region must be one of: {string.Join(", ", Servers.Keys)}"
        : null;

    public async Task<VendorSession> LoginAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var applicationId = Region(settings) == "jp" ? JapanApplicationId : ApplicationId;
        var accountId = await CallForGuidAsync(context, "General/AuthenticatePublisherAccount",
            new { accountName = settings.Username, password = settings.Password, applicationId }, cancellationToken);
        var sessionId = await CallForGuidAsync(context, "General/LoginPublisherAccountById",
            new { accountId, password = settings.Password, applicationId }, cancellationToken);
        if (sessionId == NoSession)
        {
            throw new VendorPermanentException("Dexcom Share refused the login (no session); check the account and password");
        }

        return new VendorSession(sessionId, null, new Dictionary<string, string>());
    }

    public async Task<SourceBatch> FetchAsync(ConnectorContext context, VendorSession session, SyncWindow window, CancellationToken cancellationToken)
    {
        var since = window.Since[Collection.Entries];
        var minutes = (int)Math.Clamp(Math.Ceiling((window.Now.ToUnixTimeMilliseconds() - since) / 60_000.0), 1, MaxMinutes);
        var maxCount = Math.Clamp(minutes / 5 + 1, 1, MaxCount);
        var uri = new Uri(Base(context.Settings),
            $"{ServicePath}Publisher/ReadPublisherLatestGlucoseValues?sessionId={Uri.EscapeDataString(session.Token)}&minutes={minutes}&maxCount={maxCount}");
        using var request = VendorAnswer.Json(HttpMethod.Post, uri, null);
        request.Options.Set(ConnectorHttp.NoStatusRetry, true);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        ThrowOnError(answer, "ReadPublisherLatestGlucoseValues");

        var batch = new SourceBatch();
        foreach (var item in answer.Expect<JsonArray>("ReadPublisherLatestGlucoseValues"))
        {
            var reading = item as JsonObject ?? throw new VendorProtocolException("A Dexcom glucose value is not an object");
            var date = ParseDate(reading["WT"]) ?? ParseDate(reading["ST"]) ?? throw new VendorProtocolException("A Dexcom glucose value has no WT");
            var value = reading["Value"] is JsonValue v && v.TryGetValue<double>(out var mgdl) ? (int)Math.Round(mgdl)
                : throw new VendorProtocolException("A Dexcom glucose value has no numeric Value");
            if (date > since)
            {
                batch.Add(Collection.Entries, GlucoseEntry.Create(Device, date, value, Trend(reading["Trend"])));
            }
        }

        return batch;
    }

    private async Task<string> CallForGuidAsync(ConnectorContext context, string method, object body, CancellationToken cancellationToken)
    {
        using var request = VendorAnswer.Json(HttpMethod.Post, new Uri(Base(context.Settings), ServicePath + method), body);
        request.Options.Set(ConnectorHttp.NoStatusRetry, true);
        var answer = await VendorAnswer.SendAsync(context, request, cancellationToken);
        ThrowOnError(answer, method);
        return answer.Body is JsonValue value && value.TryGetValue<string>(out var guid) && Guid.TryParse(guid, out _)
            ? guid
            : throw new VendorProtocolException($"Dexcom {method} did not answer an id");
    }

    private static void ThrowOnError(VendorAnswer answer, string method)
    {
        if (answer.IsSuccess)
        {
            return;
        }

        var code = answer.Body?["Code"]?.GetValueKind() == JsonValueKind.String ? (string?)answer.Body["Code"] : null;
        if (code is not null && SessionCodes.Contains(code))
        {
            throw new VendorSessionExpiredException($"Dexcom {method}: {code}");
        }

        if (code is not null && PermanentCodes.Contains(code))
        {
            throw new VendorPermanentException($"Dexcom Share refused the login: {code}");
        }

        if ((int)answer.Status == 401)
        {
            throw new VendorSessionExpiredException($"Dexcom {method}: HTTP 401");
        }

        throw new HttpRequestException($"Dexcom {method}: HTTP {(int)answer.Status}{(code is null ? "" : " " + code)}", null, answer.Status);
    }

    /// <summary>"Date(1700000000000)" or "/Date(1700000000000-0500)/": the epoch ms, the offset being informational.</summary>
    private static long? ParseDate(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && DatePattern().Match(text) is { Success: true } match
            ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;

    private static int? Trend(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<int>(out var number) => number is >= 0 and <= 9 ? number : null,
        JsonValue v when v.TryGetValue<string>(out var name) => TrendNames.TryGetValue(name, out var n) ? n : null,
        _ => null,
    };

    private static string Region(ConnectorSettings settings) => string.IsNullOrWhiteSpace(settings.Region) ? "us" : settings.Region.Trim().ToLowerInvariant();

    private Uri Base(ConnectorSettings settings)
    {
        var region = Region(settings);
        return options.Value.BaseUri(Kind, region, Servers[region]);
    }

    [GeneratedRegex(@"Date\((-?\d+)(?:[+-]\d{4})?\)", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();
}
