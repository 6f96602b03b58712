using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nocturne.Grains.Interfaces;

namespace Nocturne.Grains.Patients;

[GrainType("patient")]
public sealed class PatientGrain(
    [PersistentState("patient", NocturneStorage.ProviderName)] IPersistentState<PatientState> state,
    ILogger<PatientGrain> logger) : Grain, IPatientGrain
{
    public Task<SiteSettings> GetSettingsAsync() => Task.FromResult(state.State.Settings ?? new SiteSettings());

    public async Task<bool> ConfigureSettingsAsync(SiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Records compare lists by reference, so equality is decided on the stored form.
        if (state.State.Settings is { } current
            && JsonSerializer.Serialize(current) == JsonSerializer.Serialize(settings))
        {
            return false;
        }

        state.State.Settings = settings;
        await state.WriteStateAsync();
        logger.LogInformation("Settings of site {Site} updated", this.GetPrimaryKeyString());
        return true;
    }
}
