using Nocturne.Grains.Interfaces;

namespace Nocturne.Grains.Patients;

/// <summary>The small, bounded part of a patient that lives in grain storage.</summary>
public sealed class PatientState
{
    public SiteSettings? Settings { get; set; }
}
