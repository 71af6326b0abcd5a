using System.Globalization;
using System.Text;

namespace Tracker.Api.Exports;

/// <summary>
/// RFC 4180 CSV, written a row at a time to the response. Text that a spreadsheet would run as a formula (starting with
/// =, +, -, @, tab or carriage return) is written with a leading apostrophe (OWASP's advice for CSV injection).
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

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => Defused(value.ToString() ?? "")
        };
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }

    private static string Defused(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
}
