using Nocturne.Grains.Interfaces.Clinics;

namespace Nocturne.Api.Clinics;

/// <summary>Tells a clinic's board that a share began or ended, once the change is durable.</summary>
public sealed class ClinicBoardNotice(IGrainFactory grains, ILogger<ClinicBoardNotice> logger)
{
    public async Task SendAsync(string clinic, string patient)
    {
        try
        {
            await grains.GetGrain<IClinicGrain>(clinic).SharesChangedAsync(patient);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The share is already in force in PostgreSQL and every board reads it; only the live
            // notice is lost, and the staff's next board shows the change.
            logger.LogWarning(ex, "Clinic {Clinic}: the board could not be told about a share change", clinic);
        }
    }
}
