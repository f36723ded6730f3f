"""Document loading: JSONL/Markdown/text/PDF, publish-time parsing (ISO and epoch by magnitude),
splitting, and errors that name the file, line and field."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trading_signals.errors import DataError, SourceError
from trading_signals.research.documents import (
    SAMPLE_CORPUS,
    load_documents,
    parse_as_of,
    parse_published_at,
)
from trading_signals.research.splitting import split_documents


@pytest.mark.parametrize("value", [1530302400, 1530302400000, 1530302400000000,
                                   1530302400000000000, "1530302400", "2018-06-29T20:00:00Z",
                                   "2018-06-29T16:00:00-04:00"])
def test_published_at_epoch_units_by_magnitude_and_iso_offsets(value):
    assert parse_published_at(value, "x") == pd.Timestamp("2018-06-29T20:00:00Z")


@pytest.mark.parametrize("value", [12345, "yesterday", None, "", "9999-99-99"])
def test_published_at_rejects_bad_values_naming_where(value):
    with pytest.raises(DataError, match="f.jsonl: line 3"):
        parse_published_at(value, "f.jsonl: line 3")


def test_as_of_date_means_end_of_that_utc_day():
    assert parse_as_of("2018-06-29") == pd.Timestamp("2018-06-29T23:59:59.999999Z")


def test_sample_corpus_loads_and_is_labelled_illustrative():
    docs = load_documents(SAMPLE_CORPUS)
    assert len(docs) == 37 and {d.doc_type for d in docs} == {"news", "transcript", "filing"}
    assert {d.symbol for d in docs} == {"SP500", "NASDAQ", "SYN0000", "SYN0001", "SYN0002"}
    assert "ILLUSTRATIVE" in SAMPLE_CORPUS.read_text().splitlines()[0]
    assert len({d.doc_id for d in docs}) == 37


def test_markdown_front_matter_and_cli_defaults(tmp_path):
    md = tmp_path / "call.md"
    md.write_text("---\nsymbol: AAA\npublished_at: 2018-01-02T10:00:00Z\ntype: transcript\n---\n"
                  "# Call\nRevenue rose 5%.\n")
    txt = tmp_path / "note.txt"
    txt.write_text("Margins fell.")
    docs = load_documents([md, txt], defaults={"symbol": "AAA", "published_at": "1514887200",
                                               "type": "news", "source": "desk"})
    assert [d.doc_type for d in docs] == ["transcript", "news"]
    assert docs[0].source == docs[1].source == "desk"  # --source applies to every file
    assert load_documents(md).__getitem__(0).source == "call.md"  # else the file name
    assert docs[1].published_at == pd.Timestamp("2018-01-02T10:00:00Z")


def test_pdf_text_is_extracted(tmp_path):
    pdf = tmp_path / "filing.pdf"
    pdf.write_bytes(_tiny_pdf("Net debt fell to 2.5 billion"))
    (doc,) = load_documents(pdf, defaults={"symbol": "AAA", "published_at": "2018-03-01T00:00Z",
                                           "type": "filing"})
    assert "Net debt fell to 2.5 billion" in doc.text and doc.source == "filing.pdf"


def test_jsonl_errors_name_file_line_and_field(tmp_path):
    f = tmp_path / "d.jsonl"
    good = {"symbol": "AAA", "published_at": "2018-01-01T00:00:00Z", "type": "news",
            "source": "s", "text": "t"}
    f.write_text(json.dumps(good) + "\n" + json.dumps({**good, "type": "rumour"}) + "\n")
    with pytest.raises(DataError, match=r"d.jsonl: line 2: type 'rumour'"):
        load_documents(f)
    f.write_text(json.dumps({**good, "published_at": 42}) + "\n")
    with pytest.raises(DataError, match=r"line 1: published_at 42"):
        load_documents(f)
    f.write_text(json.dumps({**good, "symbol": "BBB"}) + "\n")
    with pytest.raises(DataError, match="differs from --symbol"):
        load_documents(f, defaults={"symbol": "AAA"})
    docx = tmp_path / "x.docx"
    docx.write_text("x")
    with pytest.raises(SourceError, match="unsupported"):
        load_documents(docx)


def test_split_keeps_provenance_and_stable_ids():
    doc = load_documents(SAMPLE_CORPUS)[0]
    long = type(doc)(doc.symbol, doc.published_at, doc.doc_type, doc.source, doc.text * 12, doc.title)
    a, b = split_documents([long]), split_documents([long])
    assert len(a) > 2 and [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert all(c.published_at == doc.published_at and c.doc_id == long.doc_id for c in a)
    assert all(len(c.text) <= 800 for c in a)


def _tiny_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out
