"""Why a web-demo model did not load, in words for the page."""


def shorten(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut to ``limit`` characters.

    Args:
        text (str): Any text.
        limit (int): Most characters returned.

    Returns:
        str: The text with its whitespace runs as single spaces, ending in
        ``...`` where it was cut.
    """
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _summarize_mismatch(text: str) -> str:
    """Count the mismatches of mmengine's strict-loading message."""
    mis_sized, unexpected, missing = [], [], []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('size mismatch for '):
            mis_sized.append(line[len('size mismatch for '):].split(':')[0])
        elif line.startswith('unexpected key in source state_dict: '):
            unexpected += line.split(': ', 1)[1].split(', ')
        elif line.startswith('missing keys in source state_dict: '):
            missing += line.split(': ', 1)[1].split(', ')
    parts = [
        f'{len(keys)} {what}, e.g. {keys[0]}'
        for keys, what in ((mis_sized, 'parameters of other shapes'),
                           (unexpected, 'unexpected parameters'),
                           (missing, 'missing parameters')) if keys
    ]
    return '; '.join(parts)


def describe_load_error(config: str, checkpoint: str,
                        exc: BaseException) -> str:
    """A message for the page on why the model could not be loaded.

    Args:
        config (str): The config path.
        checkpoint (str): The checkpoint path.
        exc (BaseException): What loading raised.

    Returns:
        str: The message; a checkpoint of another config is named as such,
        with counts and an example of each kind of mismatch.
    """
    text = str(exc).strip()
    if isinstance(exc, RuntimeError) and 'do not match' in text:
        return (f'the checkpoint {checkpoint} does not match the config '
                f'{config} ({_summarize_mismatch(text)}). Start the demo '
                'with the config the checkpoint was trained with.')
    return (f'could not load the model from {config} and {checkpoint}: '
            f'{type(exc).__name__}: {shorten(text, 600)}')
