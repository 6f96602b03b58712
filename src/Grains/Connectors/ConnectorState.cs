namespace Nocturne.Grains.Connectors;

/// <summary>
/// A connector's persisted state (plain JSON in the grain state table). Secrets appear only as
/// <see cref="CredentialProtector"/> ciphertext; <see cref="Site"/>, <see cref="Kind"/> and
/// <see cref="Health"/> are read by the operator overview's query.
/// </summary>
public sealed class ConnectorState
{
    public string Site { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Health { get; set; } = Interfaces.Connectors.ConnectorHealth.Unconfigured;

    public bool Configured { get; set; }

    public bool Enabled { get; set; }

    public string? ProtectedUsername { get; set; }

    public string? ProtectedPassword { get; set; }

    public string? ProtectedToken { get; set; }

    /// <summary>The account name masked for display (first letter and the domain of an e-mail).</summary>
    public string? AccountHint { get; set; }

    public string? Region { get; set; }

    public string? Url { get; set; }

    public string? PatientId { get; set; }

    /// <summary>The IANA zone of the user's devices, for vendors whose times are local wall-clock times.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The newest stored reading of this source, for sources that report staleness.</summary>
    public DateTimeOffset? NewestReadingAt { get; set; }

    public int IntervalSeconds { get; set; }

    public int BackfillDays { get; set; }

    public DateTimeOffset? ConfiguredAt { get; set; }

    public DateTimeOffset? FirstDueAt { get; set; }

    public string? ProtectedSession { get; set; }

    public DateTimeOffset? SessionExpires { get; set; }

    public Dictionary<string, string> SessionFacts { get; set; } = [];

    /// <summary>The source's own cursors (for example a remote server's lastModified per collection).</summary>
    public Dictionary<string, long> Cursors { get; set; } = [];

    public DateTimeOffset? LastSyncAt { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public string? LastErrorMessage { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }

    public bool LastErrorPermanent { get; set; }

    public bool Paused { get; set; }

    public DateTimeOffset? BackoffUntil { get; set; }

    public int ConsecutiveFailures { get; set; }

    /// <summary>Documents written per collection name since configuration.</summary>
    public Dictionary<string, long> Written { get; set; } = [];

    public long Syncs { get; set; }

    public long VendorRequests { get; set; }
}
