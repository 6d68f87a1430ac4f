import pytest

from engines.errors import InputError
from engines.optim.catalogue import OPTIMIZERS, WRAPPERS
from engines.optim.spec import OptimizerSpec, WrapperSpec, format_spec, parse_spec


def test_parse_example():
    spec = parse_spec("sgd:lr=0.001,momentum=0.9+lookahead:k=5,alpha=0.5+weight_decay:rate=0.01")
    assert spec == OptimizerSpec("sgd", {"lr": 0.001, "momentum": 0.9},
                                 (WrapperSpec("lookahead", {"k": 5.0, "alpha": 0.5}), WrapperSpec("weight_decay", {"rate": 0.01})))
    assert parse_spec(" adam : lr = 1e-2 , betas = 0.9/0.999 , amsgrad=true @ fast").hyper == {
        "lr": 0.01, "betas": (0.9, 0.999), "amsgrad": 1.0}
    assert parse_spec("adam@fast one").label == "fast one"


@pytest.mark.parametrize("text", [
    "adam",
    "adam:lr=0.01,betas=0.9/0.999",
    "sgd:lr=0.001,momentum=0.9+lookahead:k=5,alpha=0.5+weight_decay:rate=0.01",
    "rmsprop:lr=3e-05,centered=1+piecewise_lr:1000=1,2000=0.1+lazy@my label",
    "zeroth_order:samples=16,eps=0.1+warmup:steps=10+cosine:steps=100,floor=0.1",
])
def test_round_trip(text):
    spec = parse_spec(text)
    assert parse_spec(format_spec(spec)) == spec
    assert format_spec(parse_spec(format_spec(spec))) == format_spec(spec)


@pytest.mark.parametrize("text,bad", [
    ("adm:lr=1", "'adm'"),
    ("adam:lr=abc", "'abc'"),
    ("adam:lr", "'lr'"),
    ("adam:foo=1", "'foo'"),
    ("adam+lookahed", "'lookahed'"),
    ("adam+lookahead:kk=2", "'kk'"),
    ("adam+piecewise_lr:a=1", "'a'"),
    ("adam:lr=1,lr=2", "'lr'"),
    ("+adam", "''"),
    ("adam:lr=0.1/", "''"),
])
def test_errors_name_the_bad_token(text, bad):
    with pytest.raises(InputError, match=bad):
        parse_spec(text)


def test_catalogues_describe_defaults():
    assert set(OPTIMIZERS.names) >= {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw",
                               "amsgrad", "nadam", "radam", "lion", "zeroth_order"}
    assert OPTIMIZERS["adam"].defaults()["betas"] == (0.9, 0.999) and OPTIMIZERS["adam"].description
    assert set(WRAPPERS.names) == {"weight_decay", "layer_adaptation", "piecewise_lr", "warmup", "cosine", "accumulate",
                             "lookahead", "lazy"}
    assert WRAPPERS["lookahead"].defaults() == {"k": 5.0, "alpha": 0.5}
