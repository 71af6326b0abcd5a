namespace Tracker.Bench;

/// <summary>
/// Whether PostgreSQL's shared memory is in huge pages (scripts/db.sh reserves them for the bench cluster): read from a
/// backend's memory map, since PostgreSQL 15 does not say (its huge_pages=try falls back silently).
/// </summary>
public static class SharedMemoryPages
{
    public static string Of(int backendPid)
    {
        try
        {
            long hugeKb = 0;
            long size = 0;
            foreach (var line in File.ReadLines($"/proc/{backendPid}/smaps"))
            {
                if (line.StartsWith("Size:", StringComparison.Ordinal)) size = Kilobytes(line);
                else if (line.StartsWith("KernelPageSize:", StringComparison.Ordinal) && Kilobytes(line) > 4) hugeKb += size;
            }
            return hugeKb > 0 ? $"{hugeKb / 1024:N0} MB of shared memory in huge pages" : "shared memory in 4 kB pages";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "page size of shared memory unknown";
        }
    }

    private static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}
