namespace Nocturne.OrefInterop;

/// <summary>
/// A time budget per oref call. liboref bounds its own work, but a native call cannot be
/// cancelled, so the caller stops waiting instead: the call runs on a thread-pool thread (not
/// the grain scheduler's) and a call over the budget fails with <see cref="OrefException"/>
/// while the abandoned native call finishes on its own.
/// </summary>
public static class OrefCallBudget
{
    /// <summary>Far above any bounded call (liboref's work budget is about 0.1 s idle), far below a request timeout.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    public static Task<T> RunAsync<T>(Func<T> call) => RunAsync(call, Default);

    public static async Task<T> RunAsync<T>(Func<T> call, TimeSpan budget)
    {
        var work = Task.Run(call);
        try
        {
            return await work.WaitAsync(budget).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Observe the abandoned call's outcome so that a late failure is not left unobserved.
            _ = work.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            throw new OrefException(FormattableString.Invariant($"oref did not answer within {budget.TotalSeconds:0.###} s"));
        }
    }
}
