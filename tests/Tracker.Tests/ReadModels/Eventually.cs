namespace Tracker.Tests.ReadModels;

/// <summary>For what the service does by itself (scheduled messages, the async daemon): wait until it has happened.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The service did not get there in time; last value: " + value);
            await Task.Delay(200);
        }
    }
}
