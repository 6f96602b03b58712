using System.Diagnostics.Metrics;

namespace Nocturne.Grains.Telemetry;

/// <summary>
/// Nocturne's own instruments (meter <c>Nocturne</c>), beside ASP.NET Core's, Npgsql's and
/// Orleans' meters. Tags never carry a site id: thousands of sites would make thousands of series.
/// </summary>
public static class NocturneMetrics
{
    public const string MeterName = "Nocturne";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Documents in accepted v1 uploads, per collection.</summary>
    public static readonly Counter<long> DocumentsUploaded =
        Meter.CreateCounter<long>("nocturne.documents.uploaded", "{document}", "Documents received in accepted uploads");

    /// <summary>Uploaded documents that matched one already stored (updated or dropped, not inserted).</summary>
    public static readonly Counter<long> DocumentsDeduplicated =
        Meter.CreateCounter<long>("nocturne.documents.deduplicated", "{document}", "Uploaded documents that matched a stored one");

    /// <summary>Requests answered with an error status, tagged with the status and its reason.</summary>
    public static readonly Counter<long> RequestsRejected =
        Meter.CreateCounter<long>("nocturne.requests.rejected", "{request}", "Requests refused, by reason");

    /// <summary>Sites whose patient grain is active on this silo.</summary>
    public static readonly UpDownCounter<long> LiveSites =
        Meter.CreateUpDownCounter<long>("nocturne.sites.live", "{site}", "Sites active on this silo");

    /// <summary>Connector syncs (scheduled or asked for), tagged with the vendor kind and how the sync ended (the connector's health after it).</summary>
    public static readonly Counter<long> ConnectorSyncs =
        Meter.CreateCounter<long>("nocturne.connector.syncs", "{sync}", "Connector syncs, by kind and outcome");

    /// <summary>Requests sent to vendor clouds by connectors, by kind.</summary>
    public static readonly Counter<long> ConnectorVendorRequests =
        Meter.CreateCounter<long>("nocturne.connector.vendor_requests", "{request}", "Requests sent to vendor clouds");

    public static void RecordUpload(string collection, int received, int inserted)
    {
        var tag = new KeyValuePair<string, object?>("collection", collection);
        DocumentsUploaded.Add(received, tag);
        if (received > inserted)
        {
            DocumentsDeduplicated.Add(received - inserted, tag);
        }
    }
}
