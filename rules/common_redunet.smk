# Helpers of the redunet rules (paths, seeds, input functions, targets). No rules here.


def redunet_outputs():
    """Every file of the redunet part that the current config produces."""
    if not config["redunet"]["activate"]:
        return []
    return []
