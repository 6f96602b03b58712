using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Documents;
using Nocturne.Grains.Interfaces.Tenants;

namespace Nocturne.Grains.Import;

/// <summary>
/// Copies a whole Nightscout site into one of ours: roles and subjects first (tokens kept when the
/// source's API secret is given), then each collection page by page through the patient grain, the
/// single writer, with <see cref="WriteMode.InsertMissing"/>, in batches of checked pages (see
/// <see cref="ImportBatcher"/>). A batch's cursor is saved only after the grain committed it: an
/// interruption loses nothing and a resume repeats at most the batches after that cursor, which
/// InsertMissing turns into nothing. Documents the site's rules refuse are counted by reason, never
/// stamped with the import's time. At the end each collection's stored count is read back.
/// </summary>
public sealed class SiteImporter(IGrainFactory grains, ImportProgressStore store, TimeProvider time, ILogger<SiteImporter> logger)
{
    public const string AlreadyHere = "already here, or a duplicate within the source (same _id, identifier, or date and type)";

    /// <summary>Runs the import; <paramref name="progress"/>, when given, is updated live (the CLI draws it).</summary>
    public async Task<SiteImportProgress> RunAsync(string site, IImportSource source, SiteImportOptions options, SiteImportProgress? progress = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await store.BeginAsync(site, source.Description, options.Restart, now, cancellationToken);
        var saved = await store.LoadAsync(site, cancellationToken);
        progress ??= new SiteImportProgress { Site = site, Source = source.Description, StartedAt = now };
        foreach (var collection in source.Collections)
        {
            var live = progress.Of(CollectionNames.Of(collection));
            if (saved?.Collections.FirstOrDefault(c => c.Collection == live.Collection) is { } before)
            {
                (live.Cursor, live.Read, live.Imported) = (before.Cursor, before.Read, before.Imported);
                foreach (var (reason, count) in before.Skipped)
                {
                    live.Skip(reason, count);
                }
            }
        }

        var patient = grains.Site(site).Documents;
        try
        {
            await ImportAccessAsync(grains.Site(site).Access, source, options, progress, cancellationToken);
            foreach (var collection in source.Collections)
            {
                await ImportCollectionAsync(site, patient, source, collection, progress.Of(CollectionNames.Of(collection)), cancellationToken);
            }

            progress.Message = Summary(progress);
            progress.State = ImportState.Finished;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            progress.State = ImportState.Failed;
            progress.Message = ex is OperationCanceledException ? "interrupted; run it again to resume" : $"{ex.GetType().Name}: {ex.Message}";
            logger.LogWarning("Import into site {Site} from {Source} stopped: {Reason}", site, source.Description, progress.Message);
        }

        progress.UpdatedAt = time.GetUtcNow();
        await store.EndAsync(site, progress.State, progress.Message, progress.UpdatedAt, CancellationToken.None);
        return progress;
    }

    private async Task ImportCollectionAsync(string site, IPatientGrain patient, IImportSource source, Collection collection, CollectionProgress progress, CancellationToken cancellationToken)
    {
        progress.Done = false;
        progress.SourceCount = await source.CountAsync(collection, cancellationToken);
        // Three stages at once: the source read ahead, the next batch checked, this one written (then its cursor saved while the next is written).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batcher = new ImportBatcher(source, collection, time);
        var (batches, reader) = batcher.Start(progress.Cursor, stop.Token);
        // Where the time goes, for the log: waiting for a checked batch, the patient grain's writes, waiting for the previous cursor save.
        TimeSpan waiting = default, writing = default, saving = default;
        Task saved = Task.CompletedTask;
        try
        {
            var mark = time.GetTimestamp();
            await foreach (var batch in batches.ReadAllAsync(cancellationToken))
            {
                waiting += time.GetElapsedTime(mark);
                mark = time.GetTimestamp();
                var written = batch.Json is null ? 0 : await WriteAsync(patient, collection, batch.Json);
                writing += time.GetElapsedTime(mark);
                foreach (var (reason, count) in batch.Skipped)
                {
                    progress.Skip(reason, count);
                }

                if (batch.Accepted > written)
                {
                    progress.Skip(AlreadyHere, batch.Accepted - written);
                }

                progress.Read += batch.Read;
                progress.Imported += written;
                progress.Cursor = batch.Cursor;
                mark = time.GetTimestamp();
                // Saves stay in order (each after the one before), and each after its batch committed: a resume never skips a document.
                await saved;
                saving += time.GetElapsedTime(mark);
                saved = store.SaveAsync(site, progress, time.GetUtcNow(), cancellationToken);
                mark = time.GetTimestamp();
            }

            await saved;
        }
        finally
        {
            await stop.CancelAsync();
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ((Task)saved).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        logger.LogInformation("Import into site {Site}, {Collection}: {Read} read; reading the source {Reading} ms, checks {Checking} ms, waiting for checked documents {Waiting} ms, writes {Writing} ms, cursors {Saving} ms",
            site, progress.Collection, progress.Read, (long)batcher.Reading.TotalMilliseconds, (long)batcher.Checking.TotalMilliseconds, (long)waiting.TotalMilliseconds,
            (long)writing.TotalMilliseconds, (long)saving.TotalMilliseconds);
        progress.Stored = await store.CountStoredAsync(site, collection, cancellationToken);
        progress.Done = true;
        await store.SaveAsync(site, progress, time.GetUtcNow(), cancellationToken);
    }

    private static async Task<int> WriteAsync(IPatientGrain patient, Collection collection, string documentsJson)
    {
        var outcome = await patient.WriteDocumentsAsync(collection, documentsJson, WriteMode.InsertMissing);
        if (!outcome.IsDone)
        {
            // Each document passed the same rules alone; a refusal here is a fault, and the batch is not marked done.
            throw new VendorProtocolException($"The site refused {CollectionNames.Of(collection)}: {outcome.Title ?? outcome.Status.ToString()} {outcome.Message}".Trim());
        }

        // The answer lists the documents stored; only their number matters here.
        using var stored = JsonDocument.Parse(outcome.Value!);
        return stored.RootElement.GetArrayLength();
    }

    private static async Task ImportAccessAsync(ISiteAccessGrain siteAccess, IImportSource source, SiteImportOptions options, SiteImportProgress progress, CancellationToken cancellationToken)
    {
        if (await source.ReadAccessAsync(cancellationToken) is not { } access)
        {
            return;
        }

        var roles = new List<AuthRole>();
        foreach (var role in access.Roles)
        {
            if ((string?)role["name"] is not { } name)
            {
                progress.AccessSkipped.Add("a role without a name");
                continue;
            }

            var permissions = (role["permissions"] as JsonArray)?.Select(p => p?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)p : null).OfType<string>().ToList() ?? [];
            roles.Add(new AuthRole((string?)role["_id"] ?? name, name, permissions, (string?)role["notes"], BuiltIn: false));
        }

        var secretSha1 = options.SourceApiSecret is { Length: > 0 } secret ? SourceSubjectTokens.SecretSha1(secret) : null;
        var subjects = new List<ImportedSubject>();
        foreach (var subject in access.Subjects)
        {
            var (id, name) = ((string?)subject["_id"], (string?)subject["name"]);
            if (id is null || name is null)
            {
                progress.AccessSkipped.Add("a subject without _id or name");
                continue;
            }

            if (secretSha1 is null)
            {
                progress.AccessSkipped.Add($"subject '{name}': the source's API secret was not given, so its access token cannot be derived");
                continue;
            }

            var subjectRoles = (subject["roles"] as JsonArray)?.Select(r => r?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)r : null).OfType<string>().ToList() ?? [];
            var created = (string?)subject["created_at"] is { } at && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed
                : Documents.ObjectIds.IsValid(id) ? DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(id[..8], 16)) : DateTimeOffset.UnixEpoch;
            subjects.Add(new ImportedSubject(id, name, subjectRoles, (string?)subject["notes"], SourceSubjectTokens.For(secretSha1, id, name), created));
        }

        var result = await siteAccess.ImportAccessAsync(roles, subjects);
        progress.RolesImported += result.Roles;
        progress.SubjectsImported += result.Subjects;
        progress.AccessSkipped.AddRange(result.Skipped);
    }

    private static string Summary(SiteImportProgress progress)
    {
        var notes = progress.Collections
            .Where(c => c.SourceCount is { } count && c.Stored is { } stored && stored < count - c.SkippedTotal)
            .Select(c => $"{c.Collection}: source {c.SourceCount}, stored {c.Stored}, skipped {c.SkippedTotal}")
            .ToList();
        return notes.Count == 0 ? "every document accounted for" : $"fewer stored than the source holds less what was skipped: {string.Join("; ", notes)}";
    }
}
