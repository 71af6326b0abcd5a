using Tracker.Domain;
using System.Globalization;
using System.Text;

namespace Tracker.Api.Exports;

/// <summary>
/// RFC 4180 CSV, written a row at a time to the response. Numbers, dates and flags the service formats itself are written
/// as they are; every other cell may hold text a user sent (a title, a pledger, a correlation id, an enum's or a record's
/// text), and one a spreadsheet would run as a formula is written with a leading apostrophe (OWASP's rule for CSV
/// injection; see <see cref="RunsAsFormula"/>).
/// </summary>
public sealed class Csv(Stream body)
{
    private readonly StreamWriter _writer = new(body, new UTF8Encoding(false), 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };

    public static void Prepare(HttpContext http, string fileName)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
    }

    public Task Row(params object?[] cells) => _writer.WriteLineAsync(string.Join(',', cells.Select(Cell)));

    public Task Flush() => _writer.FlushAsync();

    /// <summary>One cell as written: quoted when it holds a comma, a quote or a line break, defused when it is text.</summary>
    public static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            // Written by the service, never typed by a user: a negative amount stays a number in a spreadsheet.
            // An amount without trailing zeros, as the JSON and the IATI export write it: one amount is written one way
            // whatever arithmetic reached it (until 2026-12-06 a converted 250000 read "250000.0" beside "237500.00").
            decimal amount => Decimals.Normal(amount).ToString(CultureInfo.InvariantCulture),
            int or long or double => ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            // As the JSON writes it: the fraction without trailing zeros (an event's time has microseconds, not "O"'s seven digits).
            DateTimeOffset d => Infrastructure.Validation.InstantsWithOffset.Text(d),
            bool b => b ? "true" : "false",
            // Anything else is text, whatever its type (a string, an enum, a record's ToString, a Uri).
            _ => Defused(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")
        };
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }

    // A text that opens with the apostrophe itself gets one more, so the two read apart: "'=1+1" as sent is "''=1+1", the
    // defused "=1+1" is "'=1+1" (until 2026-12-06 both were "'=1+1").
    private static string Defused(string text) => RunsAsFormula(text) || text.StartsWith('\'') ? "'" + text : text;

    /// <summary>
    /// OWASP's list (=, +, -, @, tab, carriage return) and a line feed as the first character; the same signs after
    /// leading spaces (a spreadsheet may trim them); and their full-width forms (＝ ＋ － ＠), which spreadsheets in
    /// East Asian locales read as the ASCII ones.
    /// </summary>
    public static bool RunsAsFormula(string text)
    {
        if (text.Length == 0) return false;
        if (text[0] is '\t' or '\r' or '\n') return true;
        var start = text.AsSpan().TrimStart();
        return start.Length > 0 && start[0] is '=' or '+' or '-' or '@' or '\uFF1D' or '\uFF0B' or '\uFF0D' or '\uFF20';
    }
}
