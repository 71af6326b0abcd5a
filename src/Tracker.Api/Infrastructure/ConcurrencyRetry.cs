namespace Tracker.Api.Infrastructure;

/// <summary>
/// A write without If-Match that loses a race to another write on the same stream, or that PostgreSQL ends to break a
/// deadlock, is run again on the new state, a few times with a short random back-off: the client asked for no
/// precondition, so deciding on the newer state is what it asked for (so did `If-Match: *`). A write whose If-Match names
/// versions is never retried (it answers
/// 412, or 409 for a deadlock), and a write still losing after the last attempt answers 409. Nothing is appended by a
/// losing attempt, so a retry cannot duplicate anything.
/// </summary>
public sealed class ConcurrencyRetry(RequestDelegate next, ILogger<ConcurrencyRetry> logger)
{
    public const int MaxAttempts = 5;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || Versions.NamesVersions(context.Request))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await next(context);
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts && !context.Response.HasStarted &&
                                      ExceptionProblems.Classify(e) is ExceptionProblems.Failure.LostRace or ExceptionProblems.Failure.Deadlocked)
            {
                logger.LogInformation("{Path} lost a race (attempt {Attempt}); deciding again on the new state",
                    context.Request.Path, attempt);
                // The body kept as sent (JsonBodiesOnly) read afresh: a stream of its own, so that a reader the framework
                // made over the last one (its pipe) is not the one read again.
                if (context.Features.Get<Validation.SentJsonBody>() is { } sent) context.Request.Body = new MemoryStream(sent.Bytes, writable: false);
                else context.Request.Body.Position = 0;
                context.Response.Clear();
                await Task.Delay(Random.Shared.Next(5, 25) * attempt, context.RequestAborted);
            }
        }
    }
}
