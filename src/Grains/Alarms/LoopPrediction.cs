namespace Nocturne.Grains.Alarms;

/// <summary>The newest predicted glucose of a closed loop: mg/dL every 5 minutes from <see cref="StartMs"/>.</summary>
public sealed class LoopPrediction
{
    /// <summary><c>OpenAPS</c> (oref0 in OpenAPS, AndroidAPS, Trio) or <c>Loop</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>When the loop made the prediction.</summary>
    public long Mills { get; set; }

    public long StartMs { get; set; }

    public List<double> Values { get; set; } = [];
}
