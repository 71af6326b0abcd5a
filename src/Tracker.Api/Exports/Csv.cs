using System.Globalization;
using System.Text;

namespace Tracker.Api.Exports;

/// <summary>RFC 4180 CSV, written a row at a time to the response.</summary>
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
            _ => value.ToString() ?? ""
        };
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }
}
