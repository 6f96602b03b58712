using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Nocturne.Grains.Import;
using Nocturne.Grains.Interfaces.Tenants;
using Nocturne.Grains.Storage;
using Spectre.Console;

namespace Nocturne.Api.Hosting;

/// <summary>
/// <c>tenant import</c>: many Nightscout sites from their MongoDB databases (or exports on disk) in one run, a bounded
/// number at a time, with a progress bar per site and one overall, then a report of what each site
/// left out and why. Each site's import is resumable: run the same list again after an interruption.
/// The list has one site per line: <c>site-id mongodb://host/db [source-api-secret]</c> or
/// <c>site-id path/to/export.zip</c>; '#' starts a comment.
/// </summary>
public static class ImportCommand
{
    public const string Usage = """
               tenant import <id> <mongodb-url | export.zip> [--source-secret <api-secret>] [--create] [--restart]
               tenant import --sites <list-file> [--parallel <n>] [--create] [--restart]
        """;

    /// <summary>One line of the list: the site here, the source (database URL or export file), and the source's API secret (for tokens).</summary>
    public sealed record ImportLine(string Site, string Source, string? SourceSecret)
    {
        public override string ToString() => $"ImportLine({Site})";
    }

    public static async Task<int> RunAsync(string[] args, IGrainFactory grains, string postgres, TextWriter stdout, TextWriter stderr)
    {
        var lines = await ReadLinesAsync(args, stderr);
        if (lines is null)
        {
            await stderr.WriteLineAsync("usage:" + Environment.NewLine + Usage);
            return 2;
        }

        var parallel = int.TryParse(TenantCommand.Option(args, "--parallel"), CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Min(n, 64) : 4;
        var create = args.Contains("--create");
        var restart = args.Contains("--restart");
        await using var connection = new PostgresConnection(postgres);
        var importer = new SiteImporter(grains, new ImportProgressStore(connection), TimeProvider.System, NullLogger<SiteImporter>.Instance);
        var registry = grains.GetGrain<ITenantRegistryGrain>(ITenantRegistryGrain.Key);
        var results = new SiteImportProgress?[lines.Count];
        var refused = new string?[lines.Count];

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var overall = context.AddTask($"[bold]all {lines.Count} sites[/]", maxValue: lines.Count);
                await Parallel.ForEachAsync(Enumerable.Range(0, lines.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, cancellationToken) =>
                {
                    var line = lines[i];
                    var bar = context.AddTask(Markup.Escape(line.Site), maxValue: 1);
                    try
                    {
                        if (await PrepareSiteAsync(registry, line, create) is { } problem)
                        {
                            refused[i] = problem;
                            return;
                        }

                        if (ImportSources.Open(line.Source, out var invalid) is not { } source)
                        {
                            refused[i] = invalid;
                            return;
                        }

                        await using (source)
                        {
                            var progress = new SiteImportProgress { Site = line.Site, Source = source.Description, StartedAt = DateTimeOffset.UtcNow };
                            var run = importer.RunAsync(line.Site, source, new SiteImportOptions(line.SourceSecret, restart), progress, cancellationToken);
                            while (await Task.WhenAny(run, Task.Delay(200, cancellationToken)) != run)
                            {
                                if (progress.Total is { } total and > 0)
                                {
                                    bar.MaxValue = total;
                                    bar.Value = Math.Min(progress.Read, total);
                                }
                            }

                            results[i] = await run;
                        }
                    }
                    finally
                    {
                        bar.Value = bar.MaxValue;
                        bar.StopTask();
                        overall.Increment(1);
                    }
                });
            });

        var failures = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            failures += await ReportAsync(stdout, lines[i].Site, results[i], refused[i]) ? 0 : 1;
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{lines.Count - failures} of {lines.Count} sites imported"));
        return failures == 0 ? 0 : 1;
    }

    private static async Task<string?> PrepareSiteAsync(ITenantRegistryGrain registry, ImportLine line, bool create)
    {
        if (await registry.GetAsync(line.Site) is not null)
        {
            return null;
        }

        if (!create)
        {
            return "no such site here (add --create to create it)";
        }

        // The source's API secret becomes the site's, so its uploaders keep working unchanged.
        if (line.SourceSecret is null)
        {
            return "--create needs the source's API secret on the line, to keep its uploaders working";
        }

        var created = await registry.CreateAsync(line.Site, null, line.SourceSecret, settings: null);
        return created.Status == Grains.Interfaces.Authorization.ChangeStatus.Done ? null : $"cannot create the site: {created.Message}";
    }

    private static async Task<bool> ReportAsync(TextWriter stdout, string site, SiteImportProgress? result, string? refused)
    {
        if (result is null)
        {
            await stdout.WriteLineAsync($"{site}: not imported: {refused}");
            return false;
        }

        await stdout.WriteLineAsync($"{site}: {result.State} from {result.Source}: {result.Message}");
        foreach (var collection in result.Collections)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {collection.Collection}\tsource {collection.SourceCount}\tread {collection.Read}\timported {collection.Imported}\tstored {collection.Stored}\tskipped {collection.SkippedTotal}"));
            foreach (var (reason, count) in collection.Skipped)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"    skipped {count}: {reason}"));
            }
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  roles {result.RolesImported}, subjects {result.SubjectsImported}"));
        foreach (var reason in result.AccessSkipped)
        {
            await stdout.WriteLineAsync($"    left out: {reason}");
        }

        return result.State == ImportState.Finished;
    }

    private static async Task<List<ImportLine>?> ReadLinesAsync(string[] args, TextWriter stderr)
    {
        if (TenantCommand.Option(args, "--sites") is { } file)
        {
            if (!File.Exists(file))
            {
                await stderr.WriteLineAsync($"No such file: {file}");
                return null;
            }

            var lines = new List<ImportLine>();
            foreach (var raw in await File.ReadAllLinesAsync(file))
            {
                var parts = raw.Split('#', 2)[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length is 2 or 3)
                {
                    lines.Add(new ImportLine(parts[0], parts[1], parts.Length == 3 ? parts[2] : null));
                }
                else if (parts.Length != 0)
                {
                    await stderr.WriteLineAsync($"Ignored a line of {file} that is not 'site mongodb-url-or-export [source-api-secret]'");
                }
            }

            return lines.Count == 0 ? null : lines;
        }

        return args.Length >= 3 && !args[1].StartsWith("--", StringComparison.Ordinal) ? [new ImportLine(args[1], args[2], TenantCommand.Option(args, "--source-secret"))] : null;
    }
}
