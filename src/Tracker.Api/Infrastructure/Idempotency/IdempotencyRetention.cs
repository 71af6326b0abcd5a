using System.Globalization;

namespace Tracker.Api.Infrastructure.Idempotency;

/// <summary>
/// How long an Idempotency-Key is honoured (setting Idempotency:Retention, default 24 hours). After that a request with
/// the key runs as a new one, and <see cref="IdempotencyKeySweeper"/> deletes the row with its stored response.
/// 24 hours is what Stripe keeps keys for and Wolverine's own deduplication window: a client retries a request whose
/// answer it lost within seconds to hours, not days, and a day of writes' responses is a small table.
/// </summary>
public sealed record IdempotencyRetention(TimeSpan Retention)
{
    public const string Setting = "Idempotency:Retention";
    public static readonly TimeSpan Default = TimeSpan.FromHours(24);

    /// <summary>Shorter would forget a key before a client that timed out has retried it.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromMinutes(1);

    /// <summary>Longer is "never" in practice (and PostgreSQL's date arithmetic has limits): a key must expire.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(365);

    /// <summary>The setting, or the default; a value that is not a time span in range stops the start, naming the setting.</summary>
    public static IdempotencyRetention From(IConfiguration configuration)
    {
        // Unset only: an empty value is refused (SettingsCheck), as every other time span's is (until 2026-12-07 it was the
        // default here).
        if (configuration[Setting] is not { } text) return new(Default);
        // The invariant "c" form only: a general parse reads 24:00:00 as 24 days, which would pass unnoticed.
        if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var retention) || retention < Minimum || retention > Maximum)
        {
            throw new ConfigurationProblem(
                $"{Setting} '{text}' must be a time span from 00:01:00 to 365.00:00:00, days before a dot: 1.00:00:00 " +
                "(one day, the default; not 24:00:00) or 7.00:00:00 (a week).");
        }
        return new(retention);
    }
}
