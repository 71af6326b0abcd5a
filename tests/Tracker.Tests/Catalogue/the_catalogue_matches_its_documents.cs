using System.Text.RegularExpressions;
using Tracker.Api.Catalogue;
using Tracker.Domain.Commitments;

namespace Tracker.Tests.Catalogue;

/// <summary>Pins the catalogue to the words of its five source documents.</summary>
public sealed partial class the_catalogue_matches_its_documents
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
            CatalogueData.OneSpaced(CatalogueData.SourceText(document)).ShouldContain(quote, Case.Sensitive, $"{where}: not in {document}");
            var number = int.Parse(paragraph.ShouldNotBeNull($"{where}: no paragraph"));
            CatalogueData.Paragraphs(document)[number - 1].ShouldContain(quote, Case.Sensitive, $"{where}: not in paragraph {number}");
        }
    }

    [Fact]
    public void paragraphs_are_counted_in_the_documents_own_text_without_the_pages_clutter()
    {
        // (document, paragraphs, the first words of the first and of the last): what a reader counts in the texts.
        (string Document, int Count, string First, string Last)[] expected =
        [
            ("paris-2019", 11, "We, the Political Directors", "This comprehensive effort is necessary"),
            ("small-group-2020", 12, "At the invitation of Italian Minister", "The Coalition reaffirmed its belief"),
            ("rome-2021", 9, "The Ministers of the Global Coalition", "The Ministers also reaffirmed their intent"),
            ("washington-2024", 9, "Ten years after the formation", "On the 10th anniversary"),
            ("shafaq-2024", 12, "Ministers of the Global Coalition to Defeat ISIS", "On the anniversary of the Coalition")
        ];
        foreach (var (document, count, first, last) in expected)
        {
            var paragraphs = CatalogueData.Paragraphs(document);
            paragraphs.Count.ShouldBe(count, document);
            paragraphs[0].ShouldStartWith(first, Case.Sensitive, document);
            paragraphs[^1].ShouldStartWith(last, Case.Sensitive, document);
            string[] clutter = ["photo", "cookies", "UNITED24", "mailing list", "Begin Text", "Media Note", "Shafaq News/", "e-mail", "Languages"];
            paragraphs.ShouldAllBe(p => !clutter.Any(c => p.Contains(c)), document);
        }

        // Two paragraphs rome-2021's page breaks mid-sentence read as one each.
        CatalogueData.Paragraphs("rome-2021")[3].ShouldContain("enhance the operational efficiency and coordination of our collective efforts");
        CatalogueData.Paragraphs("rome-2021")[6].ShouldContain("international law obligations, including fair trial guarantees");
        // A line break ends a paragraph as a blank line does: small-group-2020's second and third paragraphs share a block.
        CatalogueData.Paragraphs("small-group-2020")[2].ShouldStartWith("The Ministers, recalling their statement of February 6, 2019");
    }

    [Fact]
    public void sentences_end_at_a_full_stop_before_a_capital_but_not_after_an_initial()
    {
        CatalogueData.Sentences("Met with U.S. Secretary of State Antony J. Blinken. The Ministers agreed.")
            .ShouldBe(["Met with U.S. Secretary of State Antony J. Blinken.", "The Ministers agreed."]);
        CatalogueData.Sentences("It “remains committed to defeating Daesh/ISIS anywhere it operates.” Five years after")
            .ShouldBe(["It “remains committed to defeating Daesh/ISIS anywhere it operates.”", "Five years after"]);
        CatalogueData.SentenceOf("One. Two three. Four.", "three").ShouldBe("Two three.");
    }

    /// <summary>
    /// Sentences of the primary texts that say "commit" (commit, committed, commitment, recommit) and are judged not to
    /// state a commitment, each with the reason. Every other such sentence must be quoted by the catalogue.
    /// </summary>
    private static readonly (string Document, string Opening, string Reason)[] NotCommitments =
    [
        ("paris-2019", "The Coalition must remain united and determined in its mission to degrade and defeat Daesh/ISIS",
            "'political commitment' names one part of the comprehensive approach the sentence describes, not an undertaking; " +
            "the mission it serves, the enduring defeat of Daesh/ISIS, is enduring-defeat-of-daesh, stated in paragraph 1 of the same text")
    ];

    [GeneratedRegex(@"commit", RegexOptions.IgnoreCase)]
    private static partial Regex Commits();

    [Fact]
    public void every_sentence_of_a_primary_text_that_commits_is_quoted_with_its_commit_or_judged_not_a_commitment()
    {
        var quotes = Quotes().Select(q => (q.Document, Quote: CatalogueData.OneSpaced(q.Quote))).Where(q => Commits().IsMatch(q.Quote)).ToList();
        var judged = new List<(string, string, string)>();
        foreach (var document in Catalogue.Documents.Where(d => d.Primary))
        {
            foreach (var sentence in CatalogueData.Paragraphs(document.Key).SelectMany(CatalogueData.Sentences).Where(s => Commits().IsMatch(s)))
            {
                var excluded = NotCommitments.Where(n => n.Document == document.Key && sentence.StartsWith(n.Opening, StringComparison.Ordinal)).ToList();
                judged.AddRange(excluded);
                if (excluded.Count > 0) continue;
                quotes.ShouldContain(q => q.Document == document.Key && (sentence.Contains(q.Quote) || q.Quote.Contains(sentence)),
                    $"{document.Key}: no statement, restatement, figure or evidence quotes the commitment in \"{sentence}\"");
            }
        }
        // The list of sentences judged not commitments names sentences that are there (it cannot go stale).
        judged.ShouldBe(NotCommitments, ignoreOrder: true);
    }

    /// <summary>
    /// What each restated commitment undertakes, in its statement's own words: Does, the act (its verb, or the act it
    /// names), and About, what the act is on. A restatement says the same undertaking again, so its quote holds a Does
    /// word and an About word (a word matches as the start of a word: "pursu" for pursue and pursuing). Every word here
    /// must be in the statement, so none can be added that only a later text uses ("coordinating" under "strengthen
    /// cooperation"). A later text that says the same undertaking in other words is listed, with why, in
    /// <see cref="SaidInOtherWords"/>. Caught so: 2024's "recommit to mobilising and coordinating efforts to defeat
    /// Daesh/ISIS" (no "strengthen", no "cooperation"), "commit to counter the continued spread of Daesh/ISIS globally"
    /// under "identify where and how it can bring added value" (no "identify"), "underscore the importance of artificial
    /// intelligence to combat terrorist propaganda" under "fighting against ... propaganda" (no "fighting"), 2020's
    /// "stabilization support to liberated areas" under "continue to increase our ... contributions" (no "increase").
    /// </summary>
    private static readonly Dictionary<string, (string[] Does, string[] About)> Undertakings = new()
    {
        ["enduring-defeat-of-daesh"] = (["create conditions"], ["enduring"]),
        ["northeast-syria-assistance"] = (["continue"], ["stabilization", "recovery"]),
        ["ftf-information-sharing"] = (["sharing"], ["information"]),
        ["syria-political-settlement"] = (["support"], ["political", "2254"]),
        ["iraq-inclusive-governance"] = (["support"], ["reconciliation", "governance"]),
        ["strengthen-cooperation-across-lines-of-effort"] = (["strengthen"], ["cooperation"]),
        ["adequate-resources-for-the-fight"] = (["allocating"], ["adequate resources"]),
        ["iraq-operational-efficiency"] = (["appropriate measures"], ["operational efficiency"]),
        ["nato-mission-iraq"] = (["welcome"], ["NATO"]),
        ["ftf-accountability"] = (["pursu"], ["accountability"]),
        ["humane-treatment-of-detainees"] = (["ensur", "urge"], ["humane", "fair trial"]),
        ["northeast-syria-detainees-solution"] = (["importance of"], ["northeast Syria"]),
        ["counter-financing"] = (["curb"], ["revenue"])
    };

    /// <summary>
    /// Restatements that say their statement's undertaking in other words: the later words, the statement's words they
    /// say again, and why a reader can take them as the same undertaking. Each entry is needed (the restatement does not
    /// pass on the statement's words) and names words both quotes hold.
    /// </summary>
    private static readonly (string Key, string Document, string Later, string Stated, string Why)[] SaidInOtherWords =
    [
        ("enduring-defeat-of-daesh", "washington-2024", "remains committed to defeating Daesh/ISIS",
            "to create conditions for an enduring victory",
            "the Coalition's purpose in 2024's words: the group it undertook in 2019 to fight and defeat lastingly it remains " +
            "committed to defeating; 2020 and 2021 already say 'defeat' for 2019's 'victory'"),
        ("ftf-accountability", "washington-2024", "ensuring accountability for crimes",
            "pursue existing effective accountability mechanisms",
            "accountability for the detained terrorists' crimes, which 2020 committed to pursue, is among the durable " +
            "solutions whose importance the 2024 text emphasises"),
        ("counter-financing", "washington-2024", "restrict their access to financing",
            "curbing its ability to raise revenue",
            "the same act on the same thing in other words: restricting the group's access to financing curbs its revenue")
    ];

    private static bool Says(string quote, string word) =>
        Regex.IsMatch(quote, $@"\b{Regex.Escape(word)}", RegexOptions.IgnoreCase);

    [Fact]
    public void a_restatement_says_its_statements_undertaking_again()
    {
        var restated = Catalogue.Commitments.Where(c => c.Restatements is { Count: > 0 }).ToList();
        foreach (var c in restated)
        {
            Undertakings.ContainsKey(c.Key).ShouldBeTrue($"{c.Key}: say in Undertakings what its statement undertakes");
            var (does, about) = Undertakings[c.Key];
            foreach (var word in does.Concat(about))
            {
                Says(c.StatedIn.Quote, word).ShouldBeTrue($"{c.Key}: '{word}' is not the statement's word");
            }
            foreach (var r in c.Restatements!)
            {
                var quote = r.RestatedIn.Quote;
                var same = does.Any(w => Says(quote, w)) && about.Any(w => Says(quote, w));
                var other = SaidInOtherWords.SingleOrDefault(o => o.Key == c.Key && o.Document == r.RestatedIn.DocumentKey);
                if (other.Key is null)
                {
                    same.ShouldBeTrue($"{c.Key}: the {r.RestatedIn.DocumentKey} restatement \"{quote}\" says something else " +
                                      $"(it names no '{string.Join("'/'", does)}' on '{string.Join("'/'", about)}')");
                    continue;
                }
                same.ShouldBeFalse($"{c.Key}: the {r.RestatedIn.DocumentKey} restatement says the statement's words; drop it from SaidInOtherWords");
                quote.ShouldContain(other.Later, Case.Sensitive, c.Key);
                c.StatedIn.Quote.ShouldContain(other.Stated, Case.Sensitive, c.Key);
            }
        }
        Undertakings.Keys.ShouldBe(restated.Select(c => c.Key), ignoreOrder: true);
        SaidInOtherWords.ShouldAllBe(o => restated.Any(c => c.Key == o.Key && c.Restatements!.Any(r => r.RestatedIn.DocumentKey == o.Document)));
    }

    [GeneratedRegex(@"\b(commend|welcom|acknowledg|congratulat)", RegexOptions.IgnoreCase)]
    private static partial Regex Judges();

    [Fact]
    public void a_restatement_says_the_undertaking_again_not_how_it_went()
    {
        // "commended the increased capacity of the Iraqi forces" judges what was done: evidence of progress, not the
        // promise to build that capacity said again. Only what was itself a welcome or commendation is restated as one.
        foreach (var c in Catalogue.Commitments)
        {
            foreach (var r in (c.Restatements ?? []).Where(r => Judges().IsMatch(r.RestatedIn.Quote)))
            {
                Judges().IsMatch(c.StatedIn.Quote).ShouldBeTrue($"{c.Key}: \"{r.RestatedIn.Quote}\" judges progress; make it evidence");
            }
        }
    }

    [Fact]
    public void a_commitment_is_restated_at_most_once_in_a_document()
    {
        // The importer keeps one restatement per document and commitment: a second would be silently dropped.
        foreach (var c in Catalogue.Commitments)
        {
            (c.Restatements ?? []).Select(r => r.RestatedIn.DocumentKey).ShouldBeUnique(c.Key);
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

    /// <summary>The places a commitment or a figure can be about, as the texts name them.</summary>
    private static readonly (string Place, Regex Named)[] Places =
    [
        ("Iraq", new Regex(@"\bIraq")),
        ("Syria", new Regex(@"\bSyria")),
        ("Africa", new Regex(@"\bAfrica|\bSahel")),
        ("Asia", new Regex(@"\bAsia")),
        ("Europe", new Regex(@"\bEurope"))
    ];

    private static IEnumerable<string> PlacesIn(string text) => Places.Where(p => p.Named.IsMatch(text)).Select(p => p.Place);

    [Fact]
    public void a_reported_figure_is_about_no_place_its_commitment_is_not()
    {
        // "more than 210,000 security and police personnel" were trained in a sentence about Iraq and Syria: no figure of
        // a commitment about the Iraqi Security Forces. A figure's sentence names no place its commitment does not
        // (a commitment that names no place, such as an enduring defeat, takes figures about any).
        foreach (var c in Catalogue.Commitments)
        {
            var about = PlacesIn(c.StatedIn.Quote + " " + c.Title).ToList();
            if (about.Count == 0) continue;
            var figures = (c.Progress ?? []).Select(p => p.Source)
                .Concat((c.Evidence ?? []).Where(e => CatalogueData.FiguresIn(e.Quote!).Count > 0));
            foreach (var source in figures)
            {
                var paragraph = CatalogueData.Paragraphs(source.DocumentKey!)[int.Parse(source.Paragraph!) - 1];
                var sentence = CatalogueData.SentenceOf(paragraph, source.Quote!);
                PlacesIn(sentence).ShouldBeSubsetOf(about, $"{c.Key}: \"{sentence}\" is about more than the commitment");
            }
        }
    }

    [GeneratedRegex(@"\bincreas", RegexOptions.IgnoreCase)]
    private static partial Regex Increases();

    [Fact]
    public void a_commitment_to_increase_reports_no_level_it_started_from_as_progress()
    {
        // "continue to increase our ... contributions": the "approximately $20 billion" raised before the roadmap is where
        // the increase starts, a baseline (kept as evidence), not progress toward it. Progress toward an increase is a
        // figure from after the commitment was stated.
        var published = Catalogue.Documents.ToDictionary(d => d.Key, d => d.PublishedOn);
        foreach (var c in Catalogue.Commitments.Where(c => Increases().IsMatch(c.StatedIn.Quote)))
        {
            var statedOn = c.StatedOn ?? published[c.StatedIn.DocumentKey];
            (c.Progress ?? []).ShouldAllBe(p => p.AsOf > statedOn, c.Key);
        }
    }

    [Fact]
    public void a_note_states_no_number_or_year_its_quote_does_not()
    {
        // A note explains its quote; it adds no fact of its own. "Raised ... since 2014" over "raise approximately $20
        // billion" adds a start the text does not give. Numbers in a note are the quote's figures or the year of the
        // entry's own date.
        var published = Catalogue.Documents.ToDictionary(d => d.Key, d => d.PublishedOn);
        var notes = Catalogue.Commitments.SelectMany(c =>
            (c.Progress ?? []).Select(p => (c.Key, p.Note, p.Source.Quote!, p.AsOf))
            .Concat((c.Evidence ?? []).Select(e => (c.Key, e.Note, e.Quote!, e.On ?? published[e.DocumentKey!])))
            .Concat((c.Assessments ?? []).Select(a => (c.Key, (string?)a.Rationale, a.Source.Quote!, a.EffectiveOn ?? a.AssessedOn)))
            .Concat((c.Restatements ?? []).Select(r => (c.Key, r.Note, r.RestatedIn.Quote, r.RestatedOn ?? published[r.RestatedIn.DocumentKey]))));
        foreach (var (key, note, quote, on) in notes.Where(n => n.Item2 is not null))
        {
            var known = CatalogueData.FiguresIn(quote).Append(on.Year).ToList();
            foreach (var number in CatalogueData.FiguresIn(note!))
            {
                known.ShouldContain(number, $"{key}: the note \"{note}\" says {number}, its quote \"{quote}\" does not");
            }
        }
    }

    [Fact]
    public void a_meeting_no_source_reports_is_left_overdue_and_unassessed_and_no_status_says_more_than_its_source()
    {
        // Rome promised the next ministerial by June 2022 and a Small Group meeting in Brussels in fall 2021; none of the
        // five texts says whether either took place. The tracker marks them overdue when the deadline passes, and that
        // is all it may say: no assessment and no evidence until a source reports one.
        foreach (var key in new[] { "next-ministerial-by-june-2022", "small-group-brussels-fall-2021" })
        {
            var meeting = Catalogue.Commitments.Single(c => c.Key == key);
            meeting.Deadline.ShouldNotBeNull(key).Date.ShouldNotBeNull(key);
            (meeting.Assessments ?? []).ShouldBeEmpty(key);
            (meeting.Evidence ?? []).ShouldBeEmpty(key);
        }

        // A status is what a primary text reports, from the statement's day on; none of the five says that something
        // was missed, stalled, not started or withdrawn, so no assessment says so.
        var published = Catalogue.Documents.ToDictionary(d => d.Key, d => d.PublishedOn);
        foreach (var c in Catalogue.Commitments)
        {
            foreach (var a in c.Assessments ?? [])
            {
                a.Status.ShouldBeOneOf(CommitmentStatus.Achieved, CommitmentStatus.InProgress, CommitmentStatus.PartiallyAchieved);
                a.Source.Primary.ShouldBeTrue(c.Key);
                published[a.Source.DocumentKey!].ShouldBeGreaterThanOrEqualTo(c.StatedOn ?? published[c.StatedIn.DocumentKey], c.Key);
                a.AssessedOn.ShouldBeGreaterThanOrEqualTo(published[a.Source.DocumentKey!], c.Key);
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
    public void a_secondary_source_is_only_ever_secondary_evidence_never_a_statement_restatement_figure_or_assessment()
    {
        // A news report's wording ("agreed to fund $394 million", "pledged over $200 million") is that report's claim:
        // kept as evidence marked secondary, never merged with the communiqué's figures or counted as the commitment.
        var secondary = Catalogue.Documents.Where(d => !d.Primary).Select(d => d.Key).ToHashSet();
        secondary.ShouldContain("shafaq-2024");
        foreach (var c in Catalogue.Commitments)
        {
            secondary.ShouldNotContain(c.StatedIn.DocumentKey, c.Key);
            (c.Restatements ?? []).ShouldAllBe(r => !secondary.Contains(r.RestatedIn.DocumentKey), c.Key);
            (c.Progress ?? []).ShouldAllBe(p => !secondary.Contains(p.Source.DocumentKey!), c.Key);
            (c.Assessments ?? []).ShouldAllBe(a => !secondary.Contains(a.Source.DocumentKey!), c.Key);
        }
    }

    [Fact]
    public void every_source_is_as_primary_as_its_document()
    {
        var primary = Catalogue.Documents.ToDictionary(d => d.Key, d => d.Primary);
        foreach (var c in Catalogue.Commitments)
        {
            var sources = (c.Progress ?? []).Select(p => p.Source).Concat((c.Assessments ?? []).Select(a => a.Source))
                .Concat(c.Evidence ?? []);
            foreach (var source in sources)
            {
                source.Primary.ShouldBe(primary[source.DocumentKey!], $"{c.Key}: {source.Quote}");
            }
        }
    }

    [Fact]
    public void no_document_url_is_a_sites_home_page()
    {
        // A home page (https://shafaq.com/en/) says where a site is, not where the text is: better no url than that one.
        foreach (var document in Catalogue.Documents.Where(d => d.Url is not null))
        {
            var path = new Uri(document.Url!).AbsolutePath.Trim('/');
            path.ShouldNotBeEmpty(document.Key);
            path.Length.ShouldBeGreaterThan(2, $"{document.Key}: {document.Url} is a home page (a language's at most)");
        }
    }

    [Fact]
    public void a_document_dated_only_to_the_month_lends_no_day_to_what_cites_it()
    {
        // "2024-10-01" with month precision is October 2024, not its 1st: evidence from such a document says no day,
        // and a statement, restatement or figure in it gives the day a source says (the importer refuses none given).
        var undated = Catalogue.Documents.Where(d => d.PublishedPrecision != Tracker.Domain.Documents.DatePrecision.Day)
            .Select(d => d.Key).ToHashSet();
        undated.ShouldContain("shafaq-2024");
        foreach (var c in Catalogue.Commitments)
        {
            (c.Evidence ?? []).Where(e => undated.Contains(e.DocumentKey!)).ShouldAllBe(e => e.On == null, c.Key);
            (c.Progress ?? []).ShouldAllBe(p => !undated.Contains(p.Source.DocumentKey!), c.Key);
            if (undated.Contains(c.StatedIn.DocumentKey)) c.StatedOn.ShouldNotBeNull(c.Key);
            (c.Restatements ?? []).Where(r => undated.Contains(r.RestatedIn.DocumentKey)).ShouldAllBe(r => r.RestatedOn != null, c.Key);
        }
    }

    [Fact]
    public void a_documents_note_states_no_number_its_text_or_date_does_not()
    {
        foreach (var document in Catalogue.Documents.Where(d => d.Note is not null))
        {
            var known = CatalogueData.FiguresIn(CatalogueData.SourceText(document.Key)).Append(document.PublishedOn.Year);
            CatalogueData.FiguresIn(document.Note!).ShouldAllBe(n => known.Contains(n), document.Key);
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
    public void the_catalogue_covers_the_kinds_of_commitment_its_texts_state()
    {
        // Money goals, meetings and bodies to happen, and aims a monitor assesses. No text sets a number to reach other
        // than money, so none is quantitative (see a_quantitative_commitment_has_a_target_that_is_a_quantity_with_a_unit).
        Catalogue.Commitments.Count.ShouldBe(44); // as the README says
        Catalogue.Commitments.Select(c => c.Kind).Distinct()
            .ShouldBe([CommitmentKind.Financial, CommitmentKind.Qualitative, CommitmentKind.Milestone], ignoreOrder: true);
        Catalogue.Commitments.Select(c => c.Key).ShouldContain("iskp-diplomatic-grouping");
        Catalogue.Commitments.Select(c => c.Key).ShouldContain("working-groups-africa-tasking");
        Catalogue.Commitments.Select(c => c.Key).ShouldContain("pledge-drive-2021");
    }

    [Fact]
    public void a_quantitative_commitment_has_a_target_that_is_a_quantity_with_a_unit()
    {
        // Quantitative means the text sets a number of something to reach: the target, a quantity with its unit, that
        // its quote states (every_target_and_reported_figure_is_the_figure_its_quote_states). A count the texts report
        // without a goal does not make a commitment quantitative: "Iraq's progress in repatriating over 10,000 of its
        // nationals" commends what was done and sets no number to reach, and no text sets a number of members (2019's
        // 80 are "to be preserved", a mix of members, working groups and consultations, not a count). Both stay
        // qualitative, their counts kept as reported figures; so do an enduring defeat and the Iraqi Security Forces'
        // capacity, which no figure measures.
        foreach (var c in Catalogue.Commitments.Where(c => c.Kind == CommitmentKind.Quantitative))
        {
            var target = c.Target.ShouldNotBeNull($"{c.Key} is quantitative with no target");
            target.Currency.ShouldBeNull(c.Key);
            target.Unit.ShouldNotBeNullOrWhiteSpace(c.Key);
            target.Amount.ShouldBeGreaterThan(0m, c.Key);
        }
        Catalogue.Commitments.Where(c => c.Target is null).ShouldAllBe(c => c.Kind != CommitmentKind.Quantitative);
    }

    [GeneratedRegex(@"\b(endors|commend|welcom|not(e|es|ed)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Approves();

    [Fact]
    public void what_the_ministers_endorse_commend_welcome_or_note_is_qualitative_unless_it_sets_a_money_goal()
    {
        // A body or effort the ministers endorse, commend, welcome or note already exists: nothing is to happen by a date,
        // so it is not a milestone, and noting a pledge drive pledges no money, so it is not financial; what a monitor
        // follows is whether the Coalition backs it. One kind for all of them, but for a money goal endorsed with its
        // amount: "endorse the priorities of the Coalition Stabilisation Working Group, with a goal of raising and
        // implementing $394 million" sets a target in money that its quote states, so it is financial.
        var approvals = Catalogue.Commitments.Where(c => Approves().IsMatch(c.StatedIn.Quote)).ToList();
        approvals.Select(c => c.Key).ShouldContain("iskp-diplomatic-grouping");
        approvals.Select(c => c.Key).ShouldContain("africa-focus-group");
        approvals.Select(c => c.Key).ShouldContain("pledge-drive-2021");
        approvals.Select(c => c.Key).ShouldContain("iraq-repatriation");
        var moneyGoals = approvals
            .Where(c => c.Target is { Currency: not null } t && CatalogueData.FiguresIn(c.StatedIn.Quote).Contains(t.Amount)).ToList();
        moneyGoals.Select(c => c.Key).ShouldBe(["stabilisation-394m"]);
        moneyGoals.ShouldAllBe(c => c.Kind == CommitmentKind.Financial);
        approvals.Except(moneyGoals).ShouldAllBe(c => c.Kind == CommitmentKind.Qualitative);
    }

    /// <summary>
    /// Words that make a statement less than an undertaking by those who state it: recognising, emphasising or
    /// underscoring the importance of or the need for something, urging others, welcoming, commending, endorsing,
    /// noting, highlighting or applauding what exists. A title keeps them (as the start of a word: "emphasi" is
    /// emphasise and emphasize).
    /// </summary>
    private static readonly (Regex InQuote, string InTitle)[] Softeners =
    [
        (new Regex(@"\bimportance of\b", RegexOptions.IgnoreCase), "importance of"),
        (new Regex(@"\bneed to\b", RegexOptions.IgnoreCase), "need to"),
        (new Regex(@"\burg(e|es|ed|ing)\b", RegexOptions.IgnoreCase), "urge"),
        (new Regex(@"\bwelcom", RegexOptions.IgnoreCase), "welcome"),
        (new Regex(@"\bcommend", RegexOptions.IgnoreCase), "commend"),
        (new Regex(@"\bendors", RegexOptions.IgnoreCase), "endorse"),
        (new Regex(@"\bnot(e|es|ed)\b", RegexOptions.IgnoreCase), "note"),
        (new Regex(@"\bunderscor", RegexOptions.IgnoreCase), "underscore"),
        (new Regex(@"\bemphasi[sz]", RegexOptions.IgnoreCase), "emphasi"),
        (new Regex(@"\brecogni[sz]", RegexOptions.IgnoreCase), "recogni"),
        (new Regex(@"\bhighlight", RegexOptions.IgnoreCase), "highlight"),
        (new Regex(@"\bapplaud", RegexOptions.IgnoreCase), "applaud")
    ];

    /// <summary>The word a title says is done (its first, less an article) as a stem to find in the quote.</summary>
    private static string TitleVerbStem(string title)
    {
        var verb = title.Split(' ').First(w => w is not ("The" or "A" or "An")).ToLowerInvariant();
        return verb.Length <= 4 ? verb : verb[..Math.Max(4, verb.Length - 2)];
    }

    [Fact]
    public void a_title_promises_no_more_than_its_statement()
    {
        // 1. A title says what is to be done with the statement's own verb (its first word, less an article and an
        //    ending: "Share" for "Sharing", "Recognise" for "recognized"): "Keep the Coalition the most inclusive
        //    format" over "The D-ISIS Coalition is the most inclusive ... format" fails it.
        // 2. It keeps the statement's softening: "Find a comprehensive solution" over "recognized the importance of
        //    finding a comprehensive approach" fails it.
        // 3. Together with a_statement_quote_keeps_the_verb_that_governs_it (a quote is not cut after its softener),
        //    a title cannot drop a softener by quoting around it: "Repatriate Iraq's nationals" over "Ministers commend
        //    Iraq's progress in repatriating" fails 2.
        foreach (var c in Catalogue.Commitments)
        {
            var stem = TitleVerbStem(c.Title);
            Regex.IsMatch(c.StatedIn.Quote, $@"\b{Regex.Escape(stem)}", RegexOptions.IgnoreCase)
                .ShouldBeTrue($"{c.Key}: \"{c.Title}\" - the statement does not say '{stem}'");
            foreach (var (inQuote, inTitle) in Softeners.Where(s => s.InQuote.IsMatch(c.StatedIn.Quote)))
            {
                c.Title.ShouldContain(inTitle, Case.Insensitive, $"{c.Key}: the statement says '{inTitle}', the title does not");
            }
        }
    }

    /// <summary>
    /// The verbs that govern what a sentence says of an undertaking: the ministers commit, agree, affirm, confirm,
    /// decide, stand, remain, must, should, will; or endorse, welcome, commend, note, underscore, emphasise, recognise,
    /// urge, call, support, highlight, applaud, condemn, task. Verb forms only: "commitments", a noun, is not one.
    /// </summary>
    [GeneratedRegex(@"\b(commit(s|ted)?|recommit(s|ted)?|agree[ds]?|endors(e|es|ed|ing)|welcom(e|es|ed|ing)|commend(s|ed|ing)?|underscor(e|es|ed|ing)|not(e|es|ed)|support(s|ed)?|urg(e|es|ed|ing)|decid(e|es|ed)|call(s|ed)?|recogni[sz](e|es|ed|ing)|emphasi[sz](e|es|ed|ing)|(re)?affirm(s|ed)?|confirm(s|ed)?|condemn(s|ed)?|task(s|ed)|highlight(s|ed|ing)?|applaud(s|ed)?|stand(s)?|remain(s)?|must|should|will)\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex Governs();

    [Fact]
    public void a_statement_quote_keeps_the_verb_that_governs_it()
    {
        // A quote cut after its sentence's verb hides what the text does with the undertaking, and the title test cannot
        // see a softener the quote left out: "Iraq's progress in repatriating over 10,000 of its nationals" is what the
        // Ministers commend, "a goal of raising and implementing $394 million" what they endorse with the Working
        // Group's priorities, "ensure that our policies ... are appropriately human-rights-based" what they underscore
        // the need to do. The rule, checked on the words: when the quote's sentence holds a governing verb (Governs)
        // before the quote begins, the quote holds one too, at or before the word its title says is done. A sentence
        // with a verb for each undertaking ("condemn ISIS-K's ... attacks and commit to deterring") is quoted from the
        // undertaking's own verb.
        foreach (var c in Catalogue.Commitments)
        {
            var quote = c.StatedIn.Quote;
            var paragraph = CatalogueData.Paragraphs(c.StatedIn.DocumentKey)[int.Parse(c.StatedIn.Paragraph!) - 1];
            var sentence = CatalogueData.SentenceOf(paragraph, quote);
            var before = sentence[..sentence.IndexOf(quote, StringComparison.Ordinal)];
            var left = Governs().Matches(before);
            if (left.Count == 0) continue;
            var own = Governs().Match(quote);
            own.Success.ShouldBeTrue($"{c.Key}: \"{quote}\" leaves out '{left[^1].Value}', the verb that governs it");
            var done = Regex.Match(quote, $@"\b{Regex.Escape(TitleVerbStem(c.Title))}", RegexOptions.IgnoreCase);
            own.Index.ShouldBeLessThanOrEqualTo(done.Index,
                $"{c.Key}: in \"{quote}\" '{own.Value}' governs something after what the title says is done");
        }
    }

    /// <summary>Words a title may use without them being the words of its paragraph: articles, conjunctions, a few prepositions.</summary>
    private static readonly HashSet<string> FunctionWords =
        ["a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "with", "by", "from", "its", "it", "their", "our",
         "as", "at", "so", "that", "be", "is", "are", "can", "into"];

    /// <summary>Title words its statement's paragraph does not use, with the words of the quote they render and why.</summary>
    private static readonly (string Key, string Word, string Renders, string Why)[] TitleRenderings =
    [
        ("syria-political-settlement", "Resolution", "UN Security Council 2254",
            "the 2019 text names Security Council Resolution 2254 by its number alone")
    ];

    /// <summary>A word as the start of its other forms: "Sharing" share, "families" famil(y), "stabilisation" stabilis(z)ation.</summary>
    private static string WordStem(string word)
    {
        var w = Plain(word).TrimEnd('\'');
        if (w.EndsWith("'s", StringComparison.Ordinal)) w = w[..^2];
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 5) return w[..^3];
        foreach (var end in new[] { "ing", "ed", "es", "s", "e" })
        {
            if (w.EndsWith(end, StringComparison.Ordinal) && w.Length - end.Length >= 3) return w[..^end.Length];
        }
        return w;
    }

    /// <summary>Lower case, British and American spellings as one ("z" read as "s"), one kind of apostrophe.</summary>
    private static string Plain(string text) => text.ToLowerInvariant().Replace('z', 's').Replace('’', '\'');

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'’\-/]*")]
    private static partial Regex Word();

    [Fact]
    public void a_title_says_no_word_its_statements_paragraph_does_not()
    {
        // "Welcome the role of NATO Mission Iraq beside the Coalition" over "We welcome the decision of the April 2 NATO
        // Ministerial regarding the role of NATO Mission Iraq" says where the mission stands, which the text does not;
        // "Increase engagement with Central Asia and Africa" over "increase engagement in these regions" names regions
        // the paragraph does not (its observers include Pakistan). A title may name what its quote refers to in the same
        // paragraph ("FTFs", "these regions", "In Iraq"), so each of its words but the function words is a word of the
        // statement's paragraph, matched by its stem; any other is listed in TitleRenderings with the words it renders.
        foreach (var c in Catalogue.Commitments)
        {
            var paragraph = Plain(CatalogueData.Paragraphs(c.StatedIn.DocumentKey)[int.Parse(c.StatedIn.Paragraph!) - 1]);
            var unsaid = Word().Matches(c.Title).Select(m => m.Value)
                .Where(w => !FunctionWords.Contains(Plain(w)))
                .Where(w => !Regex.IsMatch(paragraph, $@"\b{Regex.Escape(WordStem(w))}"))
                .ToList();
            var rendered = TitleRenderings.Where(r => r.Key == c.Key).ToList();
            foreach (var r in rendered)
            {
                unsaid.ShouldContain(r.Word, $"{c.Key}: '{r.Word}' is its paragraph's word; drop it from TitleRenderings");
                c.StatedIn.Quote.ShouldContain(r.Renders, Case.Sensitive, c.Key);
            }
            unsaid.Except(rendered.Select(r => r.Word)).ShouldBeEmpty($"{c.Key}: \"{c.Title}\" says what its paragraph does not");
        }
        TitleRenderings.ShouldAllBe(r => Catalogue.Commitments.Any(c => c.Key == r.Key));
    }

    [GeneratedRegex(@"\b[a-z]+(-[a-z0-9]+)*-\d{4}\b")]
    private static partial Regex DocumentKeyLike();

    [Fact]
    public void a_note_points_only_at_what_the_repository_holds()
    {
        // "The seed index dates it October 2024" sent a reader to an index the repository does not hold. A note says what
        // is known from the texts, their pages and the catalogue; another document it names is a document of the
        // catalogue (by its key), and it cites no index, list or file of its own.
        var keys = Catalogue.Documents.Select(d => d.Key).ToHashSet();
        var notes = Catalogue.Documents.Select(d => (d.Key, d.Note))
            .Concat(Catalogue.Commitments.SelectMany(c =>
                (c.Restatements ?? []).Select(r => r.Note)
                .Concat((c.Progress ?? []).Select(p => p.Note))
                .Concat((c.Evidence ?? []).Select(e => e.Note))
                .Concat((c.Assessments ?? []).Select(a => (string?)a.Rationale))
                .Select(n => (c.Key, Note: n))))
            .Where(n => n.Note is not null);
        string[] elsewhere = ["index", "spreadsheet", "database", ".json", ".csv", ".txt", "seed"];
        foreach (var (key, note) in notes)
        {
            elsewhere.ShouldAllBe(w => !note!.Contains(w, StringComparison.OrdinalIgnoreCase), $"{key}: \"{note}\"");
            DocumentKeyLike().Matches(note!).Select(m => m.Value).ShouldAllBe(k => keys.Contains(k), $"{key}: \"{note}\"");
        }
    }
}
