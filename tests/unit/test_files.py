from models.files import guess_column, is_upload_id, sniff_delimiter, store_by_content


def test_upload_ids_match_whole_strings_only(tmp_path):
    upload_id, path, created = store_by_content(tmp_path, b"a,b\n1,2\n", ".csv")
    assert created and path.exists() and is_upload_id(upload_id)
    for bad in (upload_id + "\n", " " + upload_id, upload_id + "0", upload_id.upper(), "../" + upload_id, None, 7):
        assert not is_upload_id(bad), bad


def test_delimiter_is_sniffed_and_defaults_to_comma():
    assert sniff_delimiter("text;label\nup;positive\ndown;negative\n") == ";"
    assert sniff_delimiter("text\tlabel\nup\tpositive\n") == "\t"
    assert sniff_delimiter("one column only") == ","


def test_guess_column_ignores_case_and_prefers_the_first_name():
    assert guess_column(["Tweet", "Sentiment", "id"], "text", "tweet") == "Tweet"
    assert guess_column(["label", "target"], "target", "label") == "target"
    assert guess_column(["a", "b"], "text") is None
