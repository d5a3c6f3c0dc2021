using System.Buffers;
using System.Text;

namespace FleaMarket.Runtime.Hashing;

/// <summary>
/// Hashes that give the same answer in every process, unlike <see cref="string.GetHashCode()"/>,
/// which is randomised per process. Ownership of grains and method ids depend on them.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>, finished with a full avalanche mix.</summary>
    public static ulong Hash64(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return Mix(Fnv1a(buffer[..length], FnvOffset));
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Hash of a grain id: its type and key, separated so ("ab","c") differs from ("a","bc").</summary>
    public static ulong Hash64(GrainId id) => Mix(Hash64(id.Type) ^ (Hash64(id.Key) * FnvPrime));

    /// <summary>32-bit stable hash, e.g. for method ids.</summary>
    public static int Hash32(string text)
    {
        var h = Hash64(text);
        return (int)(h ^ (h >> 32));
    }

    /// <summary>MurmurHash3's 64-bit finaliser: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes, ulong hash)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return hash;
    }
}
