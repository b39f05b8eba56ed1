#!/usr/bin/env python3
"""A TFaaS client in the style of the CMS TFaaS python client, standard library only.

It talks to a TFaaS server the way existing CMS scripts do: multipart upload of
params.json / model / labels.txt, /json and /proto predictions (protobuf encoded by hand,
so the peer shares no code with the server), /models and /delete. The smartcache tests run
it against `smartcache serve` to show that such scripts keep working.

Usage: tfaas_client.py URL TOKEN BUNDLE_DIR MODEL_NAME KEYS VALUES
Prints one JSON object with what each call answered.
"""
import json
import os
import struct
import sys
import urllib.error
import urllib.request
import uuid


def call(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, path in files.items():
        with open(path, 'rb') as handle:
            content = handle.read()
        header = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{os.path.basename(path)}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(header.encode() + content + b'\r\n')
    parts.append(f'--{boundary}--\r\n'.encode())
    return b''.join(parts), f'multipart/form-data; boundary={boundary}'


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def length_delimited(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def encode_row(keys, values, model):
    """Row {repeated string key = 1; repeated float value = 2 (packed); string model = 3;}"""
    out = b''.join(length_delimited(1, key.encode()) for key in keys)
    out += length_delimited(2, b''.join(struct.pack('<f', value) for value in values))
    return out + length_delimited(3, model.encode())


def read_varint(data, pos):
    shift = result = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def decode_predictions(data):
    """Predictions {repeated Class prediction = 1;} with Class {string label = 1; float probability = 2;}"""
    predictions, pos = [], 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        length, pos = read_varint(data, pos)
        assert tag == (1 << 3 | 2), f'unexpected tag {tag} in Predictions'
        message, pos = data[pos:pos + length], pos + length
        label, probability, inner = '', 0.0, 0
        while inner < len(message):
            field, inner = read_varint(message, inner)
            if field == (1 << 3 | 2):
                size, inner = read_varint(message, inner)
                label, inner = message[inner:inner + size].decode(), inner + size
            elif field == (2 << 3 | 5):
                probability, inner = struct.unpack('<f', message[inner:inner + 4])[0], inner + 4
            else:
                raise ValueError(f'unexpected field {field} in Class')
        predictions.append({'label': label, 'probability': probability})
    return predictions


def main(url, token, bundle, name, keys, values):
    auth = {'Authorization': f'Bearer {token}'}
    files = {
        'params': os.path.join(bundle, 'params.json'),
        'labels': os.path.join(bundle, 'labels.txt'),
    }
    for entry in sorted(os.listdir(bundle)):
        if entry.startswith('model'):
            files['model'] = os.path.join(bundle, entry)
        elif entry.startswith('weights'):
            files['weights'] = os.path.join(bundle, entry)
    body, content_type = multipart({'name': name}, files)
    upload = call(f'{url}/upload', body, {**auth, 'Content-Type': content_type}, 'POST')
    row = json.dumps({'keys': keys, 'values': values, 'model': name}).encode()
    predict_json = call(f'{url}/json', row, {'Content-Type': 'application/json'}, 'POST')
    proto_body = encode_row(keys, values, name)
    predict_proto = call(f'{url}/proto', proto_body, {'Content-Type': 'application/octet-stream'}, 'POST')
    models = call(f'{url}/models')
    delete = call(f'{url}/delete/{name}', None, auth, 'DELETE')
    after = call(f'{url}/models')
    print(json.dumps({
        'upload': [upload[0], json.loads(upload[1])],
        'json': [predict_json[0], json.loads(predict_json[1])],
        'proto': [predict_proto[0], decode_predictions(predict_proto[1]) if predict_proto[0] == 200 else predict_proto[1].decode()],
        'models': [models[0], [m['name'] for m in json.loads(models[1])]],
        'delete': [delete[0], json.loads(delete[1])],
        'after': [after[0], [m['name'] for m in json.loads(after[1])]],
    }))


if __name__ == '__main__':
    url_arg, token_arg, bundle_arg, name_arg, keys_arg, values_arg = sys.argv[1:7]
    main(url_arg, token_arg, bundle_arg, name_arg, keys_arg.split(','), [float(v) for v in values_arg.split(',')])
