namespace Nocturne.Grains.Interfaces.StateSpans;

/// <summary>
/// How a source fact acts on its category. At one instant closes are replayed before opens and
/// opens before samples, so a cancel and a new temp at the same millisecond leave the new one.
/// </summary>
public enum StateSpanEventKind
{
    /// <summary>Ends whatever span is open (a cancel: Temporary Override Cancel, a zero-duration temp, Resume Pump).</summary>
    Close = 0,

    /// <summary>Starts a span, ending the open one (a treatment: Profile Switch, Temp Basal, ...).</summary>
    Open = 1,

    /// <summary>
    /// A reading of the current state (device status): continues an open span of the same state,
    /// otherwise starts one.
    /// </summary>
    Sample = 2,
}
