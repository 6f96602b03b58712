namespace Nocturne.Grains.Interfaces.Clinics;

/// <summary>
/// A clinic (keyed by its site id): the live board over the patients who share with it. The
/// shares themselves live in PostgreSQL and are read on every call, so a revocation is in force
/// at once; the grain keeps only what is expensive to recompute (time in range per patient).
/// </summary>
[Alias("nocturne.IClinicGrain")]
public interface IClinicGrain : IGrainWithStringKey
{
    /// <summary>The board; <paramref name="subject"/> is the staff member, for the patients' audit logs.</summary>
    [Alias("GetBoard")]
    Task<ClinicBoard> GetBoardAsync(string? subject);

    /// <summary>A patient shared with or stopped sharing with the clinic: its row goes and the clinic's followers are told at once.</summary>
    [Alias("SharesChanged")]
    Task SharesChangedAsync(string patient);
}
