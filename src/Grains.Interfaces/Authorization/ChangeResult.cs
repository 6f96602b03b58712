namespace Nocturne.Grains.Interfaces.Authorization;

public enum ChangeStatus
{
    Done,
    NotFound,
    Conflict,
    Invalid,
}

/// <summary>The outcome of a change to subjects or roles, with a message for the client when it failed.</summary>
[GenerateSerializer, Immutable, Alias("nocturne.ChangeResult`1")]
public sealed record ChangeResult<T>([property: Id(0)] ChangeStatus Status, [property: Id(1)] T? Value, [property: Id(2)] string? Message)
{
    public static ChangeResult<T> Ok(T value) => new(ChangeStatus.Done, value, null);

    public static ChangeResult<T> Fail(ChangeStatus status, string message) => new(status, default, message);
}
