namespace Tracker.Domain.Commitments;

/// <summary>
/// Adds to a commitment's history lists without copying them, so a fold over a long stream is linear instead of copying
/// every list on every event. Lists read back from JSON are copied once, on their first append.
/// </summary>
public static class Appending
{
    public static IReadOnlyList<T> Appended<T>(this IReadOnlyList<T> list, T item) =>
        (list as AppendOnlyList<T> ?? AppendOnlyList<T>.From(list)).Add(item);
}

/// <summary>
/// An immutable list that appends in amortised constant time: versions share one growing array, each seeing only its own
/// first Count items, which never change. Appending to the newest version fills the next slot of the shared array;
/// appending to an older one (a fold that branched) copies. Reads are plain array reads.
/// </summary>
public sealed class AppendOnlyList<T> : IReadOnlyList<T>
{
    private sealed class Shared(T[] items, int used)
    {
        public readonly T[] Items = items;
        public int Used = used;
    }

    private readonly Shared _shared;

    private AppendOnlyList(Shared shared, int count)
    {
        _shared = shared;
        Count = count;
    }

    public int Count { get; }

    public T this[int index] => (uint)index < (uint)Count ? _shared.Items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public static AppendOnlyList<T> From(IReadOnlyList<T> list)
    {
        var items = new T[Math.Max(4, list.Count * 2)];
        for (var i = 0; i < list.Count; i++) items[i] = list[i];
        return new AppendOnlyList<T>(new Shared(items, list.Count), list.Count);
    }

    public AppendOnlyList<T> Add(T item)
    {
        // The next slot is ours only if no other version has claimed it (a claim is final: slots are never rewritten).
        if (Count < _shared.Items.Length && Interlocked.CompareExchange(ref _shared.Used, Count + 1, Count) == Count)
        {
            _shared.Items[Count] = item;
            return new AppendOnlyList<T>(_shared, Count + 1);
        }
        var items = new T[Math.Max(4, Count * 2)];
        Array.Copy(_shared.Items, items, Count);
        items[Count] = item;
        return new AppendOnlyList<T>(new Shared(items, Count + 1), Count + 1);
    }

    public IEnumerator<T> GetEnumerator()
    {
        var items = _shared.Items;
        for (var i = 0; i < Count; i++) yield return items[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
