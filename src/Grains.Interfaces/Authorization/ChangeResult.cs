namespace Nocturne.Grains.Interfaces.Authorization;

/// <summary>Why a grain refused a request, in the site's terms; src/Api maps it to each protocol's status codes in one place.</summary>
public enum ChangeStatus
{
    Done,
    NotFound,
    Conflict,
    Invalid,
    /// <summary>The document was deleted (v3: it exists only as a soft deletion).</summary>
    Gone,
    /// <summary>The document changed after the time the client said it read it.</summary>
    PreconditionFailed,
    /// <summary>The caller lacks a permission this particular change needs.</summary>
    Forbidden,
    /// <summary>Well-formed, but the stored data forbids it (a read-only document).</summary>
    Unprocessable,
}

/// <summary>
/// The one result type of grain requests: the value when done, otherwise why not. <see cref="Message"/>
/// explains the refusal to the client; <see cref="Title"/> replaces the status's own name where
/// the Nightscout v1 shape names the error itself (<c>"Invalid _id format"</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("nocturne.ChangeResult`1")]
public sealed record ChangeResult<T>(
    [property: Id(0)] ChangeStatus Status,
    [property: Id(1)] T? Value,
    [property: Id(2)] string? Message,
    [property: Id(3)] string? Title = null)
{
    public bool IsDone => Status == ChangeStatus.Done;

    public static ChangeResult<T> Ok(T value) => new(ChangeStatus.Done, value, null);

    public static ChangeResult<T> Fail(ChangeStatus status, string? message, string? title = null) => new(status, default, message, title);

    /// <summary>The same refusal for a request of another value type.</summary>
    public ChangeResult<TOther> As<TOther>() =>
        IsDone ? throw new InvalidOperationException("A result that is done has a value") : new(Status, default, Message, Title);
}
