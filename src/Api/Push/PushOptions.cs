namespace Nocturne.Api.Push;

/// <summary>Real-time push settings (section <c>Push</c>).</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>How often every connected follower's credentials are checked again.</summary>
    public int RecheckSeconds { get; set; } = 60;
}
