using System.Text.Json.Nodes;
using Nocturne.Grains.Interfaces.Documents;
using static Nocturne.Grains.Connectors.Sources.VendorJson;

namespace Nocturne.Grains.Connectors.Sources;

/// <summary>
/// Tandem pump-log events as Nightscout documents (docs/connectors/tandem.md): CGM and meter
/// readings, boluses with the carbs of their request, temp basals from basal-rate changes
/// (Control-IQ's and the user's), suspends, cartridge and site changes, and Control-IQ's sleep and
/// exercise modes. Spans (temp basal, suspend, mode) run to the next event that ends them; one still
/// open runs to now (bounded) and is lengthened by later syncs, the identifier staying the same.
/// </summary>
public sealed class TandemEvents(string device, string serial, long now, long openLimit)
{
    public const int BasalRateChange = 3;
    public const int Suspended = 11;
    public const int Resumed = 12;
    public const int BgReading = 16;
    public const int BolusCompleted = 20;
    public const int ExtendedBolusCompleted = 21;
    public const int CartridgeFilled = 33;
    public const int CannulaFilled = 61;
    public const int BolusRequested = 64;
    public const int UserModeChange = 229;
    public static readonly int[] CgmData = [256, 372, 399, 480];

    private const int TempRateStartBit = 2;

    public void Map(IReadOnlyList<PumpEvent> events, SourceBatch batch)
    {
        var carbs = events.Where(e => e.Code == BolusRequested && Number(e["bolusId"]) is not null)
            .GroupBy(e => (long)Number(e["bolusId"])!).ToDictionary(g => g.Key, g => Number(g.Last()["carbAmount"]) ?? 0);
        PumpEvent? temp = null;
        PumpEvent? suspend = null;
        PumpEvent? mode = null;
        foreach (var e in events)
        {
            switch (e.Code)
            {
                case var code when CgmData.Contains(code):
                    if (Number(e["currentGlucoseDisplayValue"]) is { } sgv and > 0)
                    {
                        batch.Add(Collection.Entries, GlucoseEntry.Create(device, e.At.Ms, (int)Math.Round(sgv), null));
                    }

                    break;
                case BgReading:
                    if (Number(e["bg"]) is { } bg and > 0)
                    {
                        batch.Add(Collection.Entries, ConnectorTreatment.MeterEntry(device, Id(e), e.At.Ms, (int)Math.Round(bg)));
                    }

                    break;
                case BolusCompleted or ExtendedBolusCompleted:
                    batch.Add(Collection.Treatments, Bolus(e, carbs));
                    break;
                case BasalRateChange:
                    Close(ref temp, e.At.Ms, batch);
                    var commanded = Number(e["commandedBasalRate"]);
                    var profile = Number(e["baseBasalRate"]);
                    if (commanded is { } rate && profile is { } scheduled && Math.Abs(rate - scheduled) > 0.0001)
                    {
                        temp = e;
                    }

                    break;
                case Suspended:
                    Close(ref temp, e.At.Ms, batch);
                    suspend ??= e;
                    break;
                case Resumed:
                    Close(ref suspend, e.At.Ms, batch);
                    break;
                case CartridgeFilled:
                    var cartridge = ConnectorTreatment.Create(device, Id(e), "Insulin Change", e.At.Ms, e.At.Offset);
                    if (Number(e["insulinVolume"]) is { } volume and > 0)
                    {
                        cartridge["notes"] = $"{volume:0.#} U";
                    }

                    batch.Add(Collection.Treatments, cartridge);
                    break;
                case CannulaFilled:
                    batch.Add(Collection.Treatments, ConnectorTreatment.Create(device, Id(e), "Site Change", e.At.Ms, e.At.Offset));
                    break;
                case UserModeChange:
                    Close(ref mode, e.At.Ms, batch);
                    if (Number(e["currentUserMode"]) is 1 or 2)
                    {
                        mode = e;
                    }

                    break;
            }
        }

        Close(ref temp, null, batch);
        Close(ref suspend, null, batch);
        Close(ref mode, null, batch);
    }

    private JsonObject Bolus(PumpEvent e, Dictionary<long, double> carbs)
    {
        var bolusId = Number(e["bolusId"]) is { } id ? (long)id : -1;
        var grams = carbs.GetValueOrDefault(bolusId);
        var delivered = ConnectorTreatment.Units(Number(e["insulinDelivered"]) ?? 0);
        JsonObject bolus;
        if (e.Code == ExtendedBolusCompleted)
        {
            // The extended part of a bolus, delivered over time: Nightscout's combo bolus with nothing given now.
            bolus = ConnectorTreatment.Create(device, Id(e), "Combo Bolus", e.At.Ms, e.At.Offset);
            bolus["enteredinsulin"] = delivered;
            bolus["splitNow"] = 0;
            bolus["splitExt"] = 100;
        }
        else
        {
            bolus = ConnectorTreatment.Create(device, Id(e), grams > 0 ? "Meal Bolus" : "Correction Bolus", e.At.Ms, e.At.Offset);
            bolus["insulin"] = delivered;
            bolus["carbs"] = grams;
        }

        if (Number(e["completionStatus"]) is { } status && status != 3)
        {
            bolus["notes"] = $"Bolus not completed (status {status}): {delivered} of {ConnectorTreatment.Units(Number(e["insulinRequested"]) ?? 0)} U";
        }

        return bolus;
    }

    // Ends an open span at `end` (or now, bounded, when nothing has ended it yet).
    private void Close(ref PumpEvent? open, long? end, SourceBatch batch)
    {
        if (open is not { } start)
        {
            return;
        }

        open = null;
        var until = end ?? Math.Min(now, start.At.Ms + openLimit);
        var minutes = Math.Round(Math.Max(until - start.At.Ms, 0) / 60_000.0, 2);
        if (minutes <= 0)
        {
            // Ended as it began (a rate change logged with the suspend that replaces it).
            return;
        }

        JsonObject span;
        switch (start.Code)
        {
            case BasalRateChange:
                span = ConnectorTreatment.Create(device, Id(start), "Temp Basal", start.At.Ms, start.At.Offset);
                var rate = Number(start["commandedBasalRate"]) ?? 0;
                span["absolute"] = rate;
                span["rate"] = rate;
                var userTemp = start["changeType"] is JsonArray bits && bits.Any(b => Number(b) == TempRateStartBit);
                span["reason"] = userTemp ? "temp rate" : "Control-IQ";
                if (!userTemp)
                {
                    span["automatic"] = true;
                }

                break;
            case Suspended:
                span = ConnectorTreatment.Create(device, Id(start), "Temp Basal", start.At.Ms, start.At.Offset);
                span["absolute"] = 0;
                span["rate"] = 0;
                span["reason"] = "suspend";
                break;
            default:
                // Control-IQ's sleep (1) and exercise (2) activities, as overrides that StateSpans can read.
                span = ConnectorTreatment.Create(device, Id(start), "Temporary Override", start.At.Ms, start.At.Offset);
                span["reason"] = Number(start["currentUserMode"]) == 1 ? "Sleep" : "Exercise";
                span["notes"] = "Control-IQ activity";
                break;
        }

        span["duration"] = minutes;
        batch.Add(Collection.Treatments, span);
    }

    private string Id(PumpEvent e) => $"{serial}_{e.Sequence}";
}
