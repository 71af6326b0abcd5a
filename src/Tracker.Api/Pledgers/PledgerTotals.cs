using Npgsql;
using Tracker.Api.Infrastructure;

namespace Tracker.Api.Pledgers;

/// <summary>A pledger's totals in one currency, as pledged (never converted: each pledge keeps its own currency).</summary>
public sealed record CurrencyTotals(string Currency, decimal Pledged, decimal Committed, decimal Disbursed, decimal Outstanding);

/// <summary>A pledger's totals over every pledge it made, toward any commitment.</summary>
public sealed record PledgerTotals(string Key, string Name, int PledgeCount, IReadOnlyList<CurrencyTotals> Totals,
    double? AverageDaysToFirstDisbursement)
{
    /// <summary>
    /// Sums the pledge rows (PledgeLedgerRow) by pledger and currency in PostgreSQL, as one statement of a command, which
    /// reads its rows with <see cref="Read"/>: pledgerKey null for every pledger, else that one (through the index on the
    /// pledger key). A pledger's name is the one its first pledge announced (by date, then commitment, then version).
    /// Rows stored before the pledger key was kept have none and are left out (ProgressModelUpgrade rebuilds them).
    /// </summary>
    public static string Sql(string? pledgerKeyParameter) => $"""
        select pledger, name, currency, count(*)::int, sum(pledged), sum(committed), sum(disbursed),
               sum(days_to_first)::bigint, count(days_to_first)::int
          from (select r.pledger_key as pledger,
                       first_value(r.data -> 'Ledger' ->> 'Pledger') over (partition by r.pledger_key
                           order by (r.data -> 'Ledger' ->> 'AnnouncedOn')::date, r.data ->> 'CommitmentKey', r.announced_version) as name,
                       r.data ->> 'Currency' as currency, (r.data ->> 'Pledged')::numeric as pledged,
                       coalesce((r.data -> 'Ledger' ->> 'Committed')::numeric, 0) as committed,
                       coalesce((r.data -> 'Ledger' ->> 'Disbursed')::numeric, 0) as disbursed,
                       (r.data ->> 'DaysToFirstDisbursement')::int as days_to_first
                  from {TrackerDatabase.Schema}.mt_doc_pledgeledgerrow r
                 where {(pledgerKeyParameter is null ? "r.pledger_key <> ''" : $"r.pledger_key = {pledgerKeyParameter}")}) pledges
         group by pledger, name, currency
         order by pledger, currency
        """;

    /// <summary>The pledgers of <see cref="Sql"/>'s result, in pledger key order.</summary>
    public static async Task<IReadOnlyList<PledgerTotals>> Read(NpgsqlDataReader reader, CancellationToken token)
    {
        var rows = new List<(string Key, string Name, CurrencyTotals Totals, int Pledges, long Days, int Disbursed)>();
        while (await reader.ReadAsync(token))
        {
            var (pledged, disbursed) = (reader.GetDecimal(4), reader.GetDecimal(6));
            rows.Add((reader.GetString(0), reader.GetString(1),
                new CurrencyTotals(reader.GetString(2), pledged, reader.GetDecimal(5), disbursed, pledged - disbursed),
                reader.GetInt32(3), reader.IsDBNull(7) ? 0 : reader.GetInt64(7), reader.GetInt32(8)));
        }
        return rows.GroupBy(r => r.Key).Select(g =>
        {
            var disbursedPledges = g.Sum(r => r.Disbursed);
            return new PledgerTotals(g.Key, g.First().Name, g.Sum(r => r.Pledges), g.Select(r => r.Totals).ToList(),
                disbursedPledges == 0 ? null : Math.Round((double)g.Sum(r => r.Days) / disbursedPledges, 1));
        }).ToList();
    }
}
