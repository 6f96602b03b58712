using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Connectors;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Nocturne.Grains.Connectors;

/// <summary>
/// One site's connector to one vendor (key <c>{site}/{kind}</c>). An Orleans reminder ticks once
/// per period (first tick jittered so that thousands of connectors spread out); each tick runs
/// one sync unless one is still running. Reentrant so that status reads never wait for a slow
/// vendor; state writes are serialised.
/// </summary>
[GrainType("connector")]
[Reentrant]
public sealed class ConnectorGrain(
    [PersistentState("connector", NocturneStorage.ProviderName)] IPersistentState<ConnectorState> state,
    IEnumerable<IConnectorSource> sources,
    CredentialProtector protector,
    IHttpClientFactory httpClients,
    IOptions<ConnectorOptions> options,
    TimeProvider time,
    ILogger<ConnectorGrain> logger) : Grain, IConnectorGrain, IRemindable
{
    private const string ReminderName = "poll";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    // Each sync reads this much before the newest stored reading again: clouds fill in readings
    // late (a sensor back in range uploads its backlog), and InsertMissing makes the overlap free.
    private static readonly TimeSpan Overlap = TimeSpan.FromHours(1);

    private Task _saving = Task.CompletedTask;
    private Task? _running;
    // Bumped by every configure/remove: a sync that started before one does not write its outcome over it.
    private int _generation;

    private string Key => this.GetPrimaryKeyString();

    private string Site => ConnectorKinds.ParseKey(Key).Site;

    private string Kind => ConnectorKinds.ParseKey(Key).Kind;

    private IConnectorSource Source => sources.Single(s => s.Kind == Kind);

    private ConnectorState S => state.State;

    public async Task<ChangeResult<ConnectorStatus>> ConfigureAsync(ConnectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!protector.Available)
        {
            return ChangeResult<ConnectorStatus>.Fail(ChangeStatus.Invalid, $"Connectors are off on this server: the operator must set {CredentialProtector.ConfigurationKey}");
        }

        if (await GrainFactory.Site(Site).Access.GetSettingsAsync() is null)
        {
            return ChangeResult<ConnectorStatus>.Fail(ChangeStatus.NotFound, "Site not found");
        }

        // Secrets left out keep the stored ones, so that changing the interval does not need the password again.
        var stored = StoredSecrets();
        var merged = settings with
        {
            Username = Trimmed(settings.Username) ?? stored.Username,
            Password = settings.Password ?? stored.Password,
            Token = settings.Token ?? stored.Token,
            Region = Trimmed(settings.Region)?.ToLowerInvariant(),
            Url = Trimmed(settings.Url),
            PatientId = Trimmed(settings.PatientId),
            TimeZone = Trimmed(settings.TimeZone),
        };
        var source = Source;
        var maxBackfill = (int)Math.Ceiling(source.MaxLookBack.TotalDays);
        var interval = settings.IntervalSeconds ?? (int)source.DataInterval.TotalSeconds;
        var backfill = settings.BackfillDays ?? maxBackfill;
        var problem = source.Validate(merged)
            ?? (interval < options.Value.MinimumIntervalSeconds || interval > 86_400 ? $"intervalSeconds must be between {options.Value.MinimumIntervalSeconds} and 86400" : null)
            ?? (backfill < 0 || backfill > maxBackfill ? $"backfillDays must be between 0 and {maxBackfill} for {Kind}" : null);
        if (problem is not null)
        {
            return ChangeResult<ConnectorStatus>.Fail(ChangeStatus.Invalid, problem);
        }

        var accountChanged = merged.Username != stored.Username || merged.Password != stored.Password || merged.Token != stored.Token
            || merged.Region != S.Region || merged.Url != S.Url || merged.PatientId != S.PatientId;
        _generation++;
        var now = time.GetUtcNow();
        S.Site = Site;
        S.Kind = Kind;
        S.Configured = true;
        S.Enabled = settings.Enabled;
        S.ProtectedUsername = Protect(merged.Username, "username");
        S.ProtectedPassword = Protect(merged.Password, "password");
        S.ProtectedToken = Protect(merged.Token, "token");
        S.AccountHint = Mask(merged.Username);
        S.Region = merged.Region;
        S.Url = merged.Url;
        S.PatientId = merged.PatientId;
        S.TimeZone = merged.TimeZone;
        S.IntervalSeconds = interval;
        S.BackfillDays = backfill;
        S.ConfiguredAt = now;
        if (accountChanged)
        {
            // Another account's cursors and session mean nothing for this one.
            S.ProtectedSession = null;
            S.SessionExpires = null;
            S.SessionFacts = [];
            S.Cursors = [];
        }

        // Reconfiguring is the user acting on whatever paused the connector: start afresh.
        S.Paused = false;
        S.BackoffUntil = null;
        S.ConsecutiveFailures = 0;
        S.Health = !S.Enabled ? ConnectorHealth.Disabled : S.LastSuccessAt is null || accountChanged ? ConnectorHealth.Pending : ConnectorHealth.Healthy;
        if (S.Enabled)
        {
            var period = TimeSpan.FromSeconds(interval);
            var due = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * period.TotalMilliseconds);
            S.FirstDueAt = now + due;
            await SaveAsync();
            await this.RegisterOrUpdateReminder(ReminderName, due, period);
        }
        else
        {
            await SaveAsync();
            await StopPollingAsync();
        }

        logger.LogInformation("Connector {Connector} configured ({State})", Key, S.Enabled ? "enabled" : "disabled");
        return ChangeResult<ConnectorStatus>.Ok(Status());
    }

    public Task<ConnectorStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task<ConnectorTestResult> TestAsync()
    {
        if (!S.Configured)
        {
            return new ConnectorTestResult(false, "Not configured", false);
        }

        var context = NewContext();
        try
        {
            var session = await Source.LoginAsync(context, CancellationToken.None);
            S.VendorRequests += context.Requests;
            await KeepSessionAsync(session);
            return new ConnectorTestResult(true, "Logged in", false);
        }
        catch (VendorPermanentException ex)
        {
            return new ConnectorTestResult(false, ex.Message, true);
        }
        catch (Exception ex) when (IsVendorFailure(ex))
        {
            return new ConnectorTestResult(false, Describe(ex), false);
        }
    }

    public async Task<ConnectorStatus> SyncNowAsync(bool full)
    {
        if (S.Configured)
        {
            // A sync already running started before this request and may have missed what the user
            // is asking us to fetch: wait for it, then share (or start) one that began after the request.
            if (_running is { } earlier)
            {
                // Its outcome is its own caller's to see; stay on the grain's scheduler.
                await earlier.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            }

            await (_running ?? RunSyncAsync(full));
        }

        return Status();
    }

    public async Task<bool> RemoveAsync()
    {
        var existed = S.Configured;
        _generation++;
        await StopPollingAsync();
        await Serialised(async () =>
        {
            await state.ClearStateAsync();
            state.State = new ConnectorState();
        });

        if (existed)
        {
            logger.LogInformation("Connector {Connector} removed", Key);
        }

        return existed;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        if (!S.Configured || !S.Enabled || S.Paused)
        {
            await StopPollingAsync();
            return;
        }

        if (await GrainFactory.Site(Site).Access.GetSummaryAsync() is null)
        {
            // The site was deleted: its connector goes with it.
            await RemoveAsync();
            return;
        }

        if (_running is not null)
        {
            logger.LogDebug("Connector {Connector}: previous sync still running, tick skipped", Key);
            return;
        }

        if (S.BackoffUntil is { } until && until > time.GetUtcNow())
        {
            return;
        }

        await RunSyncAsync(full: false);
    }

    private async Task RunSyncAsync(bool full)
    {
        var run = SyncAsync(full);
        _running = run;
        try
        {
            await run;
        }
        finally
        {
            _running = null;
        }
    }

    private async Task SyncAsync(bool full)
    {
        var generation = _generation;
        var context = NewContext();
        var now = time.GetUtcNow();
        var source = Source;
        SourceBatch? batch = null;
        Dictionary<string, long> written = [];
        Exception? failure = null;
        long? newestReading = null;
        try
        {
            var session = CurrentSession(now) ?? await LoginAsync(context);
            var window = await WindowAsync(source, now, full);
            try
            {
                batch = await source.FetchAsync(context, session, window, CancellationToken.None);
            }
            catch (VendorSessionExpiredException)
            {
                session = await LoginAsync(context);
                batch = await source.FetchAsync(context, session, window, CancellationToken.None);
            }

            written = await WriteAsync(batch);
            if (source.StaleAfter is not null)
            {
                newestReading = await GrainFactory.Site(Site).Documents.GetNewestFromDeviceAsync(Collection.Entries, source.Device);
            }
        }
        catch (Exception ex) when (IsVendorFailure(ex))
        {
            failure = ex;
        }

        if (generation != _generation)
        {
            return;
        }

        var finished = time.GetUtcNow();
        S.LastSyncAt = finished;
        S.Syncs++;
        S.VendorRequests += context.Requests;
        if (failure is null)
        {
            foreach (var (name, count) in written)
            {
                S.Written[name] = S.Written.GetValueOrDefault(name) + count;
            }

            foreach (var (cursor, value) in batch!.Cursors)
            {
                S.Cursors[cursor] = value;
            }

            S.LastSuccessAt = finished;
            S.NewestReadingAt = newestReading is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : S.NewestReadingAt;
            S.ConsecutiveFailures = 0;
            S.BackoffUntil = null;
            S.Health = ConnectorHealth.Healthy;
        }
        else
        {
            Fail(failure, finished);
        }

        await SaveAsync();
        var kind = new KeyValuePair<string, object?>("kind", Kind);
        Telemetry.NocturneMetrics.ConnectorSyncs.Add(1, kind, new KeyValuePair<string, object?>("outcome", S.Health.ToString().ToLowerInvariant()));
        Telemetry.NocturneMetrics.ConnectorVendorRequests.Add(context.Requests, kind);
        if (S.Paused)
        {
            await StopPollingAsync();
        }
    }

    private void Fail(Exception failure, DateTimeOffset now)
    {
        S.LastErrorMessage = Describe(failure);
        S.LastErrorAt = now;
        S.LastErrorPermanent = failure is VendorPermanentException;
        S.ConsecutiveFailures++;
        switch (failure)
        {
            case VendorPermanentException:
                S.Paused = true;
                S.Health = ConnectorHealth.Paused;
                S.ProtectedSession = null;
                logger.LogWarning("Connector {Connector} paused: {Reason}", Key, failure.Message);
                break;
            case VendorRateLimitedException limited:
                S.Health = ConnectorHealth.Failing;
                S.BackoffUntil = now + limited.RetryAfter;
                logger.LogInformation("Connector {Connector} rate limited until {Until}", Key, S.BackoffUntil);
                break;
            default:
                S.Health = ConnectorHealth.Failing;
                // The first failure retries on the next tick; after that the wait doubles (jittered), up to an hour.
                if (S.ConsecutiveFailures > 1)
                {
                    var wait = TimeSpan.FromSeconds(Math.Min(S.IntervalSeconds * Math.Pow(2, S.ConsecutiveFailures - 1), MaxBackoff.TotalSeconds));
                    S.BackoffUntil = now + wait * (0.8 + Random.Shared.NextDouble() * 0.4);
                }

                logger.LogInformation("Connector {Connector} sync failed ({Failures} in a row): {Reason}", Key, S.ConsecutiveFailures, S.LastErrorMessage);
                break;
        }
    }

    private async Task<SyncWindow> WindowAsync(IConnectorSource source, DateTimeOffset now, bool full)
    {
        var lookBack = TimeSpan.FromDays(S.BackfillDays) < source.MaxLookBack ? TimeSpan.FromDays(S.BackfillDays) : source.MaxLookBack;
        var earliest = (now - lookBack).ToUnixTimeMilliseconds();
        var patient = GrainFactory.Site(Site).Documents;
        var since = new Dictionary<Collection, long>();
        foreach (var collection in source.GapCollections)
        {
            var newest = full ? null : await patient.GetNewestFromDeviceAsync(collection, source.Device);
            since[collection] = Math.Max(newest - (long)Overlap.TotalMilliseconds ?? earliest, earliest);
        }

        return new SyncWindow(since, full ? new Dictionary<string, long>() : new Dictionary<string, long>(S.Cursors), earliest, now);
    }

    // Through the patient grain, the documents' single writer; stable identifiers make a repeat a no-op.
    private async Task<Dictionary<string, long>> WriteAsync(SourceBatch batch)
    {
        var written = new Dictionary<string, long>();
        var patient = GrainFactory.Site(Site).Documents;
        foreach (var (collection, documents) in batch.Documents)
        {
            var name = CollectionNames.Of(collection);
            written[name] = written.GetValueOrDefault(name) + await SourceWrites.WriteAsync(patient, collection, documents, batch.Mode);
        }

        foreach (var (collection, from, to) in batch.Complete)
        {
            var fetched = batch.Documents.GetValueOrDefault(collection, []).Select(d => (string?)d["identifier"]).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in (await patient.GetIdentifiersFromDeviceAsync(collection, Source.Device, from, to)).Where(i => !fetched.Contains(i)))
            {
                batch.Delete(collection, gone);
            }
        }

        foreach (var (collection, identifiers) in batch.Deleted)
        {
            foreach (var identifier in identifiers)
            {
                await patient.V3DeleteAsync(collection, identifier, permanent: false, subject: $"connector:{Kind}");
            }
        }

        return written;
    }

    private async Task<VendorSession> LoginAsync(ConnectorContext context)
    {
        var session = await Source.LoginAsync(context, CancellationToken.None);
        await KeepSessionAsync(session);
        context.PreviousSessionToken = session.Token;
        return session;
    }

    private async Task KeepSessionAsync(VendorSession session)
    {
        S.ProtectedSession = Protect(session.Token, "session");
        S.SessionExpires = session.Expires;
        S.SessionFacts = new Dictionary<string, string>(session.Facts);
        await SaveAsync();
    }

    private VendorSession? CurrentSession(DateTimeOffset now) =>
        S.SessionExpires is { } expires && expires <= now.AddMinutes(1)
            ? null
            : Unprotect(S.ProtectedSession, "session") is { } token ? new VendorSession(token, S.SessionExpires, S.SessionFacts) : null;

    private ConnectorContext NewContext()
    {
        var secrets = StoredSecrets();
        var settings = new ConnectorSettings(S.Enabled, secrets.Username, secrets.Password, S.Region, S.Url, secrets.Token, S.PatientId, S.IntervalSeconds, S.BackfillDays, S.TimeZone);
        return new ConnectorContext(httpClients.CreateClient(ConnectorHttp.ClientName), settings, time) { PreviousSessionToken = Unprotect(S.ProtectedSession, "session") };
    }

    private (string? Username, string? Password, string? Token) StoredSecrets() =>
        (Unprotect(S.ProtectedUsername, "username"), Unprotect(S.ProtectedPassword, "password"), Unprotect(S.ProtectedToken, "token"));

    private string? Protect(string? value, string field) => value is null ? null : protector.Protect(value, $"{Key}:{field}");

    private string? Unprotect(string? value, string field) => protector.Unprotect(value, $"{Key}:{field}");

    private Task SaveAsync() => Serialised(() => state.WriteStateAsync());

    // Reentrant calls may save at the same time; the storage's etag needs one write after the other.
    private Task Serialised(Func<Task> write)
    {
        _saving = After(_saving, write);
        return _saving;

        static async Task After(Task previous, Func<Task> write)
        {
            try
            {
                await previous;
            }
            catch (Exception)
            {
                // Reported to the caller of that write.
            }

            await write();
        }
    }

    private async Task StopPollingAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private ConnectorStatus Status()
    {
        var configuredKind = S.Configured ? S.Kind : Kind;
        return new ConnectorStatus(
            configuredKind, S.Configured, S.Enabled, S.Configured ? S.Health : ConnectorHealth.Unconfigured, S.AccountHint, S.Region, S.Url, S.PatientId,
            S.IntervalSeconds, S.BackfillDays, S.LastSyncAt, S.LastSuccessAt,
            S.LastErrorMessage is null ? null : new ConnectorError(S.LastErrorMessage, S.LastErrorAt!.Value, S.LastErrorPermanent),
            NextPoll(), S.BackoffUntil, S.ConsecutiveFailures,
            new Dictionary<string, long>(S.Written), S.Syncs, S.VendorRequests, new Dictionary<string, long>(S.Cursors),
            S.TimeZone, S.NewestReadingAt, IsStale());
    }

    // A source that should deliver readings every few minutes and has not, although its syncs succeed (sensor off, phone out of range).
    private bool IsStale() =>
        S.Configured && S.LastSuccessAt is not null && sources.FirstOrDefault(s => s.Kind == Kind)?.StaleAfter is { } after
        && (S.NewestReadingAt is not { } newest || time.GetUtcNow() - newest > after);

    private DateTimeOffset? NextPoll()
    {
        if (!S.Configured || !S.Enabled || S.Paused)
        {
            return null;
        }

        var period = TimeSpan.FromSeconds(S.IntervalSeconds);
        var next = S.FirstDueAt ?? time.GetUtcNow();
        var now = time.GetUtcNow();
        if (next < now)
        {
            next += period * Math.Ceiling((now - next) / period);
        }

        return S.BackoffUntil is { } until && until > next ? until : next;
    }

    private static bool IsVendorFailure(Exception ex) => ex is not (OutOfMemoryException or OperationCanceledException { CancellationToken.IsCancellationRequested: true });

    // What the status shows: the vendor's words for vendor errors; the kind of failure for the rest.
    private static string Describe(Exception ex) => ex switch
    {
        VendorPermanentException or VendorSessionExpiredException or VendorRateLimitedException or VendorProtocolException => ex.Message,
        HttpRequestException http => http.StatusCode is { } code ? $"Vendor answered HTTP {(int)code}" : $"Vendor unreachable: {http.HttpRequestError}",
        Polly.Timeout.TimeoutRejectedException => "Vendor did not answer in time",
        Polly.CircuitBreaker.BrokenCircuitException => "Vendor host failing: circuit open, requests paused",
        JsonException => "Malformed answer from the vendor",
        _ => $"Sync failed ({ex.GetType().Name})",
    };

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Mask(string? account) => account switch
    {
        null or "" => null,
        _ when account.IndexOf('@', StringComparison.Ordinal) is var at and > 0 => $"{account[0]}***{account[at..]}",
        _ => $"{account[0]}***",
    };
}
