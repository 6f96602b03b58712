using System.Buffers;

namespace Nocturne.Grains.Interfaces.Documents;

/// <summary>
/// Entries from the live window as the finished v1 JSON array in UTF-8 (what goes on the wire:
/// no text copy at twice the size on either side), with the newest entry's date so that the API
/// can answer Last-Modified/304 without parsing the array.
/// </summary>
/// <remarks>
/// A large answer rendered for one read lives in an array lent by <see cref="ArrayPool{T}.Shared"/>
/// instead of a new array of its size per read (count=288 is about 60 KB: a new one per read was
/// most of what the reads allocated, and the garbage collections that followed cost more the more
/// sites the heap holds). Its reader gives the array back with <see cref="Release"/> once the bytes
/// are written; <see cref="Utf8Json"/> must not be read after that. The loan is not serialized: a
/// copy that crossed silos holds its own bytes and has nothing to give back.
/// </remarks>
[GenerateSerializer, Immutable, Alias("nocturne.RecentEntries")]
public sealed record RecentEntries([property: Id(0)] ReadOnlyMemory<byte> Utf8Json, [property: Id(1)] long? NewestDate)
{
    [NonSerialized]
    private byte[]? _lent;

    /// <summary>An answer written in the first <paramref name="length"/> bytes of an array rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static RecentEntries Lent(byte[] rented, int length, long? newestDate) =>
        new(rented.AsMemory(0, length), newestDate) { _lent = rented };

    /// <summary>True while the bytes are in a lent array (see <see cref="Release"/>).</summary>
    public bool IsLent => Volatile.Read(ref _lent) is not null;

    /// <summary>Gives a lent array back to the pool (once, whoever calls); nothing for an answer in an array of its own.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _lent, null) is { } lent)
        {
            ArrayPool<byte>.Shared.Return(lent);
        }
    }
}
