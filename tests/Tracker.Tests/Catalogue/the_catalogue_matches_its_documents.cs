using Tracker.Api.Catalogue;
using Tracker.Domain.Commitments;

namespace Tracker.Tests.Catalogue;

/// <summary>Pins the catalogue to the words of its five source documents.</summary>
public sealed class the_catalogue_matches_its_documents
{
    private static readonly CatalogueFile Catalogue = CatalogueData.Load();

    /// <summary>Every quote in the catalogue with the document and paragraph it claims to come from.</summary>
    private static IEnumerable<(string Where, string Document, string? Paragraph, string Quote)> Quotes()
    {
        foreach (var c in Catalogue.Commitments)
        {
            yield return ($"{c.Key} statement", c.StatedIn.DocumentKey, c.StatedIn.Paragraph, c.StatedIn.Quote);
            foreach (var r in c.Restatements ?? [])
                yield return ($"{c.Key} restatement", r.RestatedIn.DocumentKey, r.RestatedIn.Paragraph, r.RestatedIn.Quote);
            foreach (var p in c.Progress ?? [])
                yield return ($"{c.Key} progress", p.Source.DocumentKey!, p.Source.Paragraph, p.Source.Quote!);
            foreach (var a in c.Assessments ?? [])
                yield return ($"{c.Key} assessment", a.Source.DocumentKey!, a.Source.Paragraph, a.Source.Quote!);
            foreach (var e in c.Evidence ?? [])
                yield return ($"{c.Key} evidence", e.DocumentKey!, e.Paragraph, e.Quote!);
        }
    }

    [Fact]
    public void every_quote_appears_verbatim_in_the_paragraph_it_names()
    {
        var quotes = Quotes().ToList();

        quotes.Count.ShouldBeGreaterThan(60);
        foreach (var (where, document, paragraph, quote) in quotes)
        {
            CatalogueData.SourceText(document).ShouldContain(quote, Case.Sensitive, $"{where}: not in {document}");
            var number = int.Parse(paragraph.ShouldNotBeNull($"{where}: no paragraph"));
            CatalogueData.Paragraphs(document)[number - 1].ShouldContain(quote, Case.Sensitive, $"{where}: not in paragraph {number}");
        }
    }

    [Fact]
    public void every_target_and_reported_figure_is_the_figure_its_quote_states()
    {
        foreach (var c in Catalogue.Commitments)
        {
            if (c.Target is { } target)
            {
                CatalogueData.FiguresIn(c.StatedIn.Quote).ShouldContain(target.Amount, $"{c.Key} target");
            }
            foreach (var p in c.Progress ?? [])
            {
                CatalogueData.FiguresIn(p.Source.Quote!).ShouldContain(p.Figure, $"{c.Key} progress {p.AsOf}");
            }
        }
    }

    [Fact]
    public void the_figure_reader_reads_the_ways_the_documents_write_figures()
    {
        CatalogueData.FiguresIn("a goal of raising and implementing $394 million").ShouldBe([394_000_000m]);
        CatalogueData.FiguresIn("more than 7.7 million people").ShouldBe([7_700_000m]);
        CatalogueData.FiguresIn("nearly eight million people").ShouldBe([8_000_000m]);
        CatalogueData.FiguresIn("over 10,000 of its nationals").ShouldBe([10_000m]);
        CatalogueData.FiguresIn("approximately $20 billion").ShouldBe([20_000_000_000m]);
    }

    [Fact]
    public void the_five_documents_are_registered_with_the_news_report_as_secondary()
    {
        Catalogue.Documents.Select(d => d.Key)
            .ShouldBe(["paris-2019", "small-group-2020", "rome-2021", "washington-2024", "shafaq-2024"]);
        Catalogue.Documents.Single(d => d.Key == "shafaq-2024").Primary.ShouldBeFalse();
        Catalogue.Documents.Where(d => d.Key != "shafaq-2024").ShouldAllBe(d => d.Primary);
    }

    [Fact]
    public void the_secondary_source_is_only_ever_evidence_never_a_commitment_or_a_restatement()
    {
        foreach (var c in Catalogue.Commitments)
        {
            c.StatedIn.DocumentKey.ShouldNotBe("shafaq-2024", c.Key);
            (c.Restatements ?? []).ShouldAllBe(r => r.RestatedIn.DocumentKey != "shafaq-2024");
            (c.Evidence ?? []).Where(e => e.DocumentKey == "shafaq-2024").ShouldAllBe(e => !e.Primary);
        }
    }

    [Fact]
    public void each_commitment_is_stated_once_and_later_documents_restate_it()
    {
        Catalogue.Commitments.Select(c => c.Key).ShouldBeUnique();
        var published = Catalogue.Documents.ToDictionary(d => d.Key, d => d.PublishedOn);
        foreach (var c in Catalogue.Commitments)
        {
            foreach (var r in c.Restatements ?? [])
            {
                published[r.RestatedIn.DocumentKey].ShouldBeGreaterThan(published[c.StatedIn.DocumentKey], c.Key);
            }
        }
    }

    [Fact]
    public void the_catalogue_covers_every_kind_of_trackable_commitment()
    {
        var kinds = Catalogue.Commitments.Select(c => c.Kind).Distinct().ToList();
        kinds.ShouldBe([CommitmentKind.Quantitative, CommitmentKind.Financial, CommitmentKind.Qualitative, CommitmentKind.Milestone],
            ignoreOrder: true);
        Catalogue.Commitments.Select(c => c.Key).ShouldContain("iskp-diplomatic-grouping");
        Catalogue.Commitments.Select(c => c.Key).ShouldContain("working-groups-africa-tasking");
        Catalogue.Commitments.Select(c => c.Key).ShouldContain("pledge-drive-2021");
    }
}
