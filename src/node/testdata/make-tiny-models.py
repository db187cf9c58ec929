# Writes two tiny random-weight ONNX models + manifests for the Node/core unit tests ONLY (never served as the product):
# tiny-cam (logits, probabilities, cam) and tiny-nocam (logits only, like a user's own export).
# Run with Debian's interpreter: /usr/bin/python3 src/node/testdata/make-tiny-models.py
import hashlib, json, os
import torch

torch.manual_seed(7)
HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ['glioma', 'meningioma', 'normal', 'pituitary']


class Tiny(torch.nn.Module):
    def __init__(self, cam):
        super().__init__()
        self.cam = cam
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
        self.head = torch.nn.Linear(16, 4)

    def forward(self, x):
        f = self.features(x)                      # N x 16 x 8 x 8
        logits = self.head(f.mean(dim=(2, 3)))
        if not self.cam:
            return logits
        cam = torch.einsum('kc,nchw->nkhw', self.head.weight, f)
        return logits, torch.softmax(logits, dim=1), cam


def export(name, cam):
    model = Tiny(cam).eval()
    path = os.path.join(HERE, f'{name}.onnx')
    outputs = ['logits', 'probabilities', 'cam'] if cam else ['logits']
    torch.onnx.export(model, torch.zeros(1, 1, 64, 64), path, opset_version=17, input_names=['image'], output_names=outputs,
                      dynamic_axes={k: {0: 'n'} for k in ['image'] + outputs})
    data = open(path, 'rb').read()
    manifest = {
        'schema': 'brain-mri-manifest/1', 'name': name, 'version': '0.0.1-test',
        'description': 'Random weights for unit tests only.', 'notice': 'Test model, random weights, not for any use.',
        'model': {'file': f'{name}.onnx', 'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data), 'opset': 17,
                  'architecture': 'tiny-cnn', 'parameters': sum(p.numel() for p in model.parameters())},
        'labels': LABELS,
        'input': {'name': 'image', 'shape': [None, 1, 64, 64], 'layout': 'NCHW', 'dtype': 'float32', 'channels': 1},
        'preprocessing': {'resize': {'width': 64, 'height': 64, 'filter': 'bilinear-antialias'}, 'color': 'grayscale',
                          'scale': 1 / 255, 'mean': [0.2], 'std': [0.25]},
        'outputs': {'logits': 'logits', 'probabilities': 'probabilities', 'cam': 'cam'} if cam else {'logits': 'logits'},
        'thresholds': {'uncertain': 0.5},
        'training': {'data': 'none', 'seed': 7, 'epochs': 0, 'images': {}, 'seconds': 0},
    }
    if cam:
        manifest['cam'] = {'width': 8, 'height': 8, 'method': 'cam'}
    with open(os.path.join(HERE, f'{name}.manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)


export('tiny-cam', True)
export('tiny-nocam', False)
