"""tutorial_cells.run_tutorial(..., load_saved=True): a lesson's training cell gives way to loading
the model it saved, and only when that model is saved for the seed."""

from tutorial_cells import LESSON_CHECKPOINTS, REPO, _code_cells, _saved_instead, _top_level_names

TRAINING_CELL = "transformer_history = train(transformer, batches, 0.1)\n"


def test_a_saved_model_is_loaded_instead_of_trained(tmp_path):
    assert _saved_instead(TRAINING_CELL, tmp_path) == TRAINING_CELL  # nothing saved: it trains
    (tmp_path / "transformer.pt").touch()
    assert _saved_instead(TRAINING_CELL, tmp_path) == (
        'transformer.load_state_dict(torch.load(Path(CHECKPOINT_DIR) / f"seed_{SEED}" / '
        '"transformer.pt", weights_only=True))'
    )
    assert _saved_instead("accuracy = 1.0\n", tmp_path) == "accuracy = 1.0\n"  # not a training cell


def test_every_checkpoint_names_a_lessons_training_cell():
    defined = set().union(
        *(
            _top_level_names(source)
            for lesson in REPO.glob("lessons/*.ipynb")
            for source, _ in _code_cells(lesson.relative_to(REPO))
        )
    )
    assert LESSON_CHECKPOINTS.keys() <= defined
